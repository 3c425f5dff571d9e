/**
 * Driving a Shopsight process from a bench: a free port, waiting for `/healthz`, and the tenant the signed
 * load is addressed to. Shared by bench:intake and bench:scale-out.
 */
import { createServer, type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Child } from './processes.ts';

const HEALTHZ_TIMEOUT_MS = 30_000;
const HEALTHZ_POLL_MS = 200;

/** A TCP port free on 127.0.0.1 right now (the OS's choice). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Resolves once `GET /healthz` answers 200.
 *
 * @throws Error when `server` exits first or `timeoutMs` (default 30 s) pass.
 */
export async function waitForHealthy(
  baseUrl: string,
  server: Child,
  timeoutMs = HEALTHZ_TIMEOUT_MS,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  let last = 'no answer';
  while (performance.now() < deadline) {
    if (server.process.exitCode !== null) {
      throw new Error(`${server.name} exited (code ${server.process.exitCode}) before /healthz answered`);
    }
    try {
      const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}: ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(HEALTHZ_POLL_MS);
  }
  throw new Error(`/healthz did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

/**
 * Creates the tenant for `shopDomain` (America/New_York, USD) through `POST /api/v1/tenants`; resolves with its id.
 *
 * @throws Error on any answer but 201.
 */
export async function createTenant(
  baseUrl: string,
  adminToken: string,
  webhookSecret: string,
  shopDomain: string,
): Promise<string> {
  const response = await fetch(`${baseUrl}/api/v1/tenants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      shopDomain,
      timezone: 'America/New_York',
      currency: 'USD',
      webhookSecret,
    }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST /api/v1/tenants answered ${response.status}: ${text}`);
  return String((JSON.parse(text) as { id: unknown }).id);
}
