/**
 * The bench's ceiling: a bare Fastify server that does only what no webhook intake can skip (read the raw
 * body, check its HMAC, answer). Shopsight's intake rate is reported as a ratio to this server's rate,
 * measured in the same run on the same machine, so the ratio survives a noisy host.
 *
 * Run as a child process by run.ts. Environment: PORT (0 picks a free port), BENCH_WEBHOOK_SECRET.
 * Prints `listening <port>` on stdout once it accepts connections.
 */
import Fastify from 'fastify';
import { verifyWebhookHmac } from '../../src/shopify/hmac.ts';
import { WEBHOOK_HEADERS } from '../../src/shopify/topics.ts';

/** Shopsight's default SHOPSIGHT_WEBHOOK_BODY_LIMIT, so both servers reject the same bodies. */
const BODY_LIMIT_BYTES = 10 * 1024 * 1024;

const secret = process.env.BENCH_WEBHOOK_SECRET;
if (!secret) throw new Error('BENCH_WEBHOOK_SECRET is required');
const port = Number(process.env.PORT ?? 0);

const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT_BYTES });

// The HMAC covers the exact bytes Shopify sent, so the body must reach the handler unparsed.
app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
  done(null, body);
});

app.post('/webhooks/shopify', async (request, reply) => {
  const signature = request.headers[WEBHOOK_HEADERS.hmac];
  const valid =
    Buffer.isBuffer(request.body) &&
    verifyWebhookHmac(request.body, typeof signature === 'string' ? signature : undefined, secret);
  return reply.code(valid ? 200 : 401).send();
});

await app.listen({ host: '127.0.0.1', port });
const address = app.server.address();
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : port}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void app.close().then(() => process.exit(0));
  });
}
