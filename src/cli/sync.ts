/**
 * `node src/main.ts sync <tenant-id|shop domain> --mode backfill|incremental [--resources orders,customers]`:
 * runs a sync in this process, one resource after the other, with a live progress bar per resource (rows
 * done of the total when known, rate, ETA). The same runs as the job queue's, on the same state: a backfill
 * interrupted here (Ctrl-C, a crash) resumes where it stopped, from here or from a worker.
 */
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { App } from '../app.ts';
import { SYNCED_RESOURCES, type SyncedResource } from '../sync/graphql-shapes.ts';

export class SyncUsageError extends Error {
  override name = 'SyncUsageError';
}

/**
 * Parses the command line and runs the sync on `app` (built in the `api` role, so that this process runs
 * no queued jobs besides its own). Returns the exit status: 0 when every resource completed.
 *
 * @throws SyncUsageError for a bad command line or an unknown tenant.
 */
export async function runSyncCommand(app: App, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { mode: { type: 'string', default: 'backfill' }, resources: { type: 'string' } },
  });
  const target = positionals[0];
  if (!target) throw new SyncUsageError('sync needs a tenant id or shop domain');
  const mode = values.mode;
  if (mode !== 'backfill' && mode !== 'incremental') {
    throw new SyncUsageError('--mode must be backfill or incremental');
  }
  const resources = (values.resources?.split(',').map((r) => r.trim()) ?? [
    ...SYNCED_RESOURCES,
  ]) as SyncedResource[];
  const unknown = resources.filter((r) => !SYNCED_RESOURCES.includes(r));
  if (unknown.length > 0) throw new SyncUsageError(`unknown resources: ${unknown.join(', ')}`);

  const [tenant] = await app.db.system.query<{ id: string }>(
    'SELECT id::text FROM tenants WHERE id::text = $1 OR shop_domain = lower($1)',
    [target],
  );
  if (!tenant) throw new SyncUsageError(`no tenant ${target}`);

  const bars = new cliProgress.MultiBar(
    {
      format: '{resource} |{bar}| {value}/{total} rows  {rate} rows/s  ETA {eta_formatted}  {state}',
      hideCursor: true,
      clearOnComplete: false,
      noTTYOutput: true,
      notTTYSchedule: 5000,
    },
    cliProgress.Presets.shades_classic,
  );
  let failures = 0;
  for (const resource of resources) {
    const bar = bars.create(1, 0, { resource: resource.padEnd(9), rate: '-', state: 'starting' });
    const refresh = async () => {
      const status = (await app.sync.status(tenant.id)).find((s) => s.resource === resource);
      if (!status) return;
      bar.setTotal(Math.max(status.rowsTotal ?? status.rowsDone, 1));
      bar.update(status.rowsDone, { rate: status.rate ?? '-', state: status.state });
    };
    const timer = setInterval(() => void refresh().catch(() => undefined), 500);
    try {
      await app.sync.run({ tenantId: tenant.id, resource, mode });
    } catch (error) {
      failures += 1;
      bar.update({ state: `failed: ${error instanceof Error ? error.message : String(error)}` });
    } finally {
      clearInterval(timer);
      await refresh();
    }
  }
  bars.stop();
  return failures === 0 ? 0 : 1;
}
