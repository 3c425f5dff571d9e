/**
 * Command line: `node src/main.ts <command>`.
 *
 *   start [--role api|worker|all]   run Shopsight (default role: all, the worker inside the server)
 *   migrate                         apply database migrations and exit
 *   replay [options]                send a folder of Shopify JSON samples to the webhook endpoint, signed
 *   dead-letters [--tenant ID]      list dead-lettered inbox events
 *   dead-letters requeue [--tenant ID]   put dead letters back in the queue
 */
import { parseArgs } from 'node:util';
import { createApp } from './app.ts';
import { ConfigError, ROLES, loadConfig, redactedConfig, type Role } from './config.ts';
import { openDatabase } from './db/client.ts';
import { inboxStats, requeueDeadLetters } from './ingest/inbox.repository.ts';
import { runReplayCommand } from './cli/replay.ts';

const USAGE = `usage: node src/main.ts <command>
  start [--role api|worker|all]        run Shopsight (default: all)
  migrate                              apply database migrations
  replay [--dir D] [--url U] [--shop S] [--create-tenant]   replay Shopify samples, signed
  dead-letters [requeue] [--tenant ID] list or re-queue dead-lettered webhook events`;

async function start(argv: string[]) {
  const { values } = parseArgs({ args: argv, options: { role: { type: 'string', default: 'all' } } });
  const role = values.role as Role;
  if (!ROLES.includes(role)) throw new ConfigError(`--role must be one of ${ROLES.join(', ')}`);
  const config = loadConfig();
  const app = await createApp(config, role);
  app.log.info({ role, config: redactedConfig(config), database: app.db.kind }, 'starting');
  app.worker?.start();
  if (app.server) {
    const address = await app.server.listen({ port: config.PORT, host: config.HOST });
    app.log.info({ address }, 'listening');
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.SHOPSIGHT_DATA_DIR });
  try {
    await db.migrate();
    return await fn(db);
  } finally {
    await db.close();
  }
}

async function deadLetters(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { tenant: { type: 'string' } },
  });
  await withDatabase(async (db) => {
    if (positionals[0] === 'requeue') {
      const count = await requeueDeadLetters(db.system, values.tenant);
      process.stdout.write(`re-queued ${count} dead-lettered event(s)\n`);
      return;
    }
    const rows = await db.system.query<{
      tenant_id: string;
      id: string;
      topic: string;
      attempts: number;
      last_error: string;
    }>(
      `SELECT tenant_id::text, id::text, topic, attempts, last_error FROM webhook_events
       WHERE status = 'dead' AND ($1::uuid IS NULL OR tenant_id = $1) ORDER BY webhook_events.id LIMIT 200`,
      [values.tenant ?? null],
    );
    for (const row of rows) {
      process.stdout.write(
        `${row.tenant_id} ${row.id} ${row.topic} attempts=${row.attempts} ${row.last_error}\n`,
      );
    }
    const stats = await inboxStats(db.system, values.tenant);
    process.stdout.write(`inbox: ${JSON.stringify(stats)}\n`);
  });
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'start':
      return start(rest);
    case 'migrate':
      return withDatabase(async () => process.stdout.write('migrations applied\n'));
    case 'replay':
      process.exitCode = await runReplayCommand(rest);
      return;
    case 'dead-letters':
      return deadLetters(rest);
    default:
      process.stdout.write(`${USAGE}\n`);
      process.exitCode = command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
