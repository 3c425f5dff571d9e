/** Network helpers for tests and dev scripts that run servers on loopback. */
import { createServer } from 'node:net';

/**
 * A free loopback port, for a server that must know its own URL before it listens (Shopsight's
 * `SHOPIFY_APP_URL`, for webhook subscriptions). Another process could take it in between: rare on loopback.
 */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
