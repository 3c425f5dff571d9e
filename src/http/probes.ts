/**
 * Probes and metrics: `GET /healthz` (the process is alive: no dependency checked), `GET /readyz` (ready for
 * traffic: the database answers, Redis answers when configured, and every migration this build carries is
 * applied) and `GET /metrics` (Prometheus text format, prom-client), which reads the inbox depth, age and
 * dead letters from the database at scrape time.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { MIGRATIONS_FOLDER, type Database } from '../db/client.ts';
import type { Metrics } from '../lib/metrics.ts';

/** The `when` of the newest migration in this build's journal (drizzle stores it as `created_at`). */
const NEWEST_MIGRATION = (() => {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as {
    entries: { when: number }[];
  };
  return Math.max(...journal.entries.map((entry) => entry.when));
})();

type Check = { status: 'ok' | 'failing' | 'not_configured'; error?: string };

/** Resolves within `ms` or rejects, so that a hung dependency cannot hang the probe. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_resolve, reject) =>
      setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref(),
    ),
  ]);
}

async function check(run: () => Promise<void>): Promise<Check> {
  try {
    await within(2000, run());
    return { status: 'ok' };
  } catch (error) {
    return { status: 'failing', error: error instanceof Error ? error.message : String(error) };
  }
}

export async function probeRoutes(
  app: FastifyInstance,
  options: { db: Database; metrics: Metrics; redis?: Redis | undefined },
) {
  const { db, metrics, redis } = options;

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const [database, migrations, redisCheck] = await Promise.all([
      check(async () => void (await db.system.query('SELECT 1'))),
      check(async () => {
        const [row] = await db.system.query<{ newest: string | null }>(
          'SELECT max(created_at)::text AS newest FROM drizzle.__drizzle_migrations',
        );
        if (Number(row?.newest ?? 0) < NEWEST_MIGRATION) throw new Error('migrations pending');
      }),
      redis
        ? check(async () => void (await redis.ping()))
        : Promise.resolve<Check>({ status: 'not_configured' }),
    ]);
    const checks = { database, migrations, redis: redisCheck };
    const ready = Object.values(checks).every((c) => c.status !== 'failing');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  });

  app.get('/metrics', async (_request, reply) => {
    try {
      const [inbox] = await within(
        2000,
        db.system.query<{ pending: string; oldest: string | null; dead: string }>(
          `SELECT count(*) FILTER (WHERE status = 'pending') AS pending,
                  extract(epoch FROM now() - min(received_at) FILTER (WHERE status = 'pending'))::text AS oldest,
                  count(*) FILTER (WHERE status = 'dead') AS dead
           FROM webhook_events WHERE status IN ('pending', 'dead')`,
        ),
      );
      metrics.inboxPending.set(Number(inbox!.pending));
      metrics.inboxOldestPendingSeconds.set(Number(inbox!.oldest ?? 0));
      metrics.deadLetters.set(Number(inbox!.dead));
      const states = await within(
        2000,
        db.system.query<{ state: string; n: string }>(
          'SELECT state, count(*)::text AS n FROM sync_states GROUP BY state',
        ),
      );
      metrics.syncResources.reset();
      for (const { state, n } of states) metrics.syncResources.set({ state }, Number(n));
    } catch {
      // The database is down: the process's own metrics are still worth serving; the gauges keep their last value.
    }
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
