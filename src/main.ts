/**
 * Command line: `node src/main.ts <command>`.
 *
 *   start [--role api|worker|all]   run Shopsight (default role: all, the worker inside the server)
 *   migrate                         apply database migrations and exit
 *   replay [options]                send a folder of Shopify JSON samples to the webhook endpoint, signed
 *   dead-letters [--tenant ID]      list dead-lettered inbox events
 *   dead-letters requeue [--tenant ID]   put dead letters back in the queue
 *   user create|reset-password --email E [--password P]   create a user, or set a new password
 *   user grant --email E --tenant ID --role owner|admin|analyst   give a user a role in a tenant
 *   rollups rebuild [--tenant ID]   recompute the daily rollups from the entity tables
 *   sync <tenant id|shop domain> [--mode backfill|incremental] [--resources orders,customers,products,inventory]
 *                                   run a sync in this process with a progress bar
 */
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { createApp } from './app.ts';
import { rebuildRollups } from './analytics/rollups.ts';
import { authorize, type Principal, type Role as TenantRole } from './auth/access.ts';
import { AuthService, emailAddress } from './auth/auth.service.ts';
import { LoginThrottle } from './auth/login-throttle.ts';
import { UserRepository } from './auth/user.repository.ts';
import { ConfigError, ROLES, loadConfig, redactedConfig, type Role } from './config.ts';
import { openDatabase } from './db/client.ts';
import { ROLES as TENANT_ROLES } from './db/schema.ts';
import { HttpError } from './http/errors.ts';
import { inboxStats, requeueDeadLetters } from './ingest/inbox.repository.ts';
import { runReplayCommand } from './cli/replay.ts';
import { runSyncCommand, SyncUsageError } from './cli/sync.ts';
import { MemberRepository } from './tenants/member.repository.ts';
import { MemberService } from './tenants/member.service.ts';

const USAGE = `usage: node src/main.ts <command>
  start [--role api|worker|all]        run Shopsight (default: all)
  migrate                              apply database migrations
  replay [--dir D] [--url U] [--shop S] [--create-tenant]   replay Shopify samples, signed
  dead-letters [requeue] [--tenant ID] list or re-queue dead-lettered webhook events
  user create --email E [--password P]          create a user (password: --password, else
  user reset-password --email E [--password P]  SHOPSIGHT_USER_PASSWORD, else asked on stdin);
                                                a reset revokes every session of the user
  user grant --email E --tenant ID --role owner|admin|analyst   give a user a role in a tenant
  rollups rebuild [--tenant ID]        recompute the daily rollups (all tenants, or one) from the
                                       entity tables; safe while the worker runs
  sync <tenant id|shop domain> [--mode backfill|incremental] [--resources orders,customers,products,inventory]
                                       run a sync here, with a progress bar`;

/** A command line that cannot be run as given: answered with the usage and exit status 2. */
class UsageError extends Error {
  override name = 'UsageError';
}

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

/** Reads a password typed on the terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new UsageError('cancelled'));
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('');
        else value += char;
      }
    };
    process.stderr.write(prompt);
    input.setEncoding('utf8');
    input.setRawMode(true);
    input.on('data', onData);
    input.resume();
  });
}

/**
 * The password of a user command: `--password`, else `SHOPSIGHT_USER_PASSWORD`, else typed twice on a
 * terminal without echo, else the first line of stdin (for scripts: `... < file`).
 */
async function readPassword(given: string | undefined): Promise<string> {
  if (given) return given;
  if (process.env.SHOPSIGHT_USER_PASSWORD) return process.env.SHOPSIGHT_USER_PASSWORD;
  if (process.stdin.isTTY) {
    const password = await promptHidden('Password: ');
    if ((await promptHidden('Password again: ')) !== password) throw new UsageError('the passwords differ');
    return password;
  }
  const password = (await text(process.stdin)).split(/\r?\n/)[0] ?? '';
  if (!password) throw new UsageError('no password: pass --password, SHOPSIGHT_USER_PASSWORD or stdin');
  return password;
}

async function user(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      tenant: { type: 'string' },
      role: { type: 'string' },
    },
  });
  const action = positionals[0];
  if (action !== 'create' && action !== 'reset-password' && action !== 'grant') {
    throw new UsageError('user needs create, reset-password or grant');
  }
  if (!values.email || !emailAddress.safeParse(values.email).success) {
    throw new UsageError('--email must be an email address');
  }
  const email = values.email;
  if (action === 'create' || action === 'reset-password') {
    const password = await readPassword(values.password);
    await withDatabase(async (db) => {
      const auth = new AuthService(new UserRepository(db), new LoginThrottle());
      if (action === 'create') {
        const created = await auth.createUser(email, password, null);
        process.stdout.write(`created user ${created.email} (${created.id})\n`);
      } else {
        const reset = await auth.resetPassword(email, password);
        process.stdout.write(`password reset; every session of ${reset.email} is revoked\n`);
      }
    });
    return;
  }
  const role = values.role as TenantRole;
  if (!TENANT_ROLES.includes(role)) throw new UsageError(`--role must be one of ${TENANT_ROLES.join(', ')}`);
  if (!values.tenant) throw new UsageError('--tenant is required');
  const tenantId = values.tenant;
  // The command line acts as the operator, and is recorded as such in the tenant's audit log.
  const operator: Principal = { kind: 'admin', id: 'admin' };
  await withDatabase(async (db) => {
    await authorize(db, operator, [tenantId], 'members:manage');
    const members = new MemberService(new MemberRepository(db));
    await members.add(tenantId, { email, role }, { principal: operator, ip: null });
    process.stdout.write(`${email.toLowerCase()} is now ${role} of tenant ${tenantId}\n`);
  });
}

/**
 * `rollups rebuild [--tenant ID]`: one transaction per tenant, each holding the tenant's rollup lock, so
 * the worker's batches for that tenant wait and then maintain the rebuilt rows.
 */
async function rollups(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { tenant: { type: 'string' } },
  });
  if (positionals.length !== 1 || positionals[0] !== 'rebuild')
    throw new UsageError('usage: rollups rebuild [--tenant ID]');
  const tenantId = values.tenant;
  if (
    tenantId !== undefined &&
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tenantId)
  ) {
    throw new UsageError('--tenant must be a tenant id (UUID)');
  }
  await withDatabase(async (db) => {
    const started = performance.now();
    const count = await rebuildRollups(db, {
      tenantId,
      progress: (id, ms) => process.stdout.write(`tenant ${id}: rebuilt in ${Math.round(ms)} ms\n`),
    });
    process.stdout.write(
      `rollups of ${count} tenant(s) rebuilt in ${Math.round(performance.now() - started)} ms\n`,
    );
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
    case 'user':
      return user(rest);
    case 'rollups':
      return rollups(rest);
    case 'sync': {
      // The api role: this process runs its own sync, not jobs queued for the workers.
      const app = await createApp(loadConfig(), 'api');
      try {
        process.exitCode = await runSyncCommand(app, rest);
      } catch (error) {
        if (error instanceof SyncUsageError) throw new UsageError(error.message);
        throw error;
      } finally {
        await app.close();
      }
      return;
    }
    default:
      process.stdout.write(`${USAGE}\n`);
      process.exitCode = command === undefined || command === 'help' || command === '--help' ? 0 : 2;
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (error instanceof HttpError) {
    process.stderr.write(`${error.code}: ${error.message}\n`);
    process.exit(1);
  }
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
