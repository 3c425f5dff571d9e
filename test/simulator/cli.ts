/**
 * Starts the Shopify simulator from the command line and prints where its shops are (docs/simulator.md):
 *
 *   node test/simulator/cli.ts --orders 1000 --seed 1 --port 4010 --api-key KEY --api-secret SECRET
 *
 * Loopback only: `--host` (or the HOST environment variable) must be 127.0.0.1, ::1 or localhost.
 */
import { parseArgs } from 'node:util';

const HELP = `Usage: node test/simulator/cli.ts [options]

Data (per shop; comma lists give shops different values, cycled):
  --shops N             number of shops (seeds seed, seed+1, ...)       default 1
  --seed N              seed of the first shop                          default 1
  --orders N            orders per shop (10 to millions)                default 1000
  --customers N         customers per shop                              default orders/3
  --products N          products per shop                               default 25
  --checkouts N         abandoned checkouts per shop                    default orders/5
  --currency LIST       shop currencies, e.g. USD,EUR,JPY               default USD
  --timezone LIST       IANA zones, e.g. America/New_York,Europe/Berlin default America/New_York
  --start-date DATE     first day of orders (YYYY-MM-DD)                default 2025-01-01
  --days N              days the orders span                            default 365
Server:
  --host HOST           127.0.0.1, ::1 or localhost                     default 127.0.0.1
  --port N              port (0 for any free one)                       default 4010
  --api-key KEY         the app's client id                             default simulator-api-key
  --api-secret SECRET   the app's client secret (signs webhooks)        default simulator-api-secret
Throttling:
  --max-available N     bucket size in points                           default 2000
  --restore-rate N      points restored per second                      default 100
  --throttle-429        answer throttled queries with HTTP 429
Webhook delivery:
  --retry-schedule MS   delays before retries, e.g. 1000,5000,30000     default 8 retries over ~4 h
  --delivery-timeout MS wait for a response this long                   default 5000
  --duplicates N        deliveries of each event                        default 1
  --shuffle-window MS   hold events this long and send them shuffled    default 0
`;

const { values } = parseArgs({
  options: {
    shops: { type: 'string', default: '1' },
    seed: { type: 'string', default: '1' },
    orders: { type: 'string', default: '1000' },
    customers: { type: 'string' },
    products: { type: 'string' },
    checkouts: { type: 'string' },
    currency: { type: 'string', default: 'USD' },
    timezone: { type: 'string', default: 'America/New_York' },
    'start-date': { type: 'string' },
    days: { type: 'string' },
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
    port: { type: 'string', default: '4010' },
    'api-key': { type: 'string' },
    'api-secret': { type: 'string' },
    'max-available': { type: 'string' },
    'restore-rate': { type: 'string' },
    'throttle-429': { type: 'boolean', default: false },
    'retry-schedule': { type: 'string' },
    'delivery-timeout': { type: 'string' },
    duplicates: { type: 'string' },
    'shuffle-window': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  process.stdout.write(HELP);
  process.exit(0);
}

/** A non-negative integer option, or undefined when absent. Exits with a message when malformed. */
function count(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    process.stderr.write(`--${name} must be a non-negative integer, got ${value}\n`);
    process.exit(2);
  }
  return Number(value);
}

const list = (value: string) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

// graphql-js skips its development-time checks in production mode; it reads NODE_ENV when loaded.
process.env.NODE_ENV ??= 'production';
const { LOOPBACK_HOSTS, startSimulator } = await import('./server.ts');

if (!LOOPBACK_HOSTS.includes(values.host)) {
  process.stderr.write(
    `refusing host ${values.host}: the simulator listens on ${LOOPBACK_HOSTS.join(', ')} only\n`,
  );
  process.exit(2);
}

const shopCount = count('shops', values.shops) ?? 1;
const seed = count('seed', values.seed) ?? 1;
const currencies = list(values.currency);
const timezones = list(values.timezone);
const orders = count('orders', values.orders);
const customers = count('customers', values.customers);
const products = count('products', values.products);
const checkouts = count('checkouts', values.checkouts);
const days = count('days', values.days);
const maximumAvailable = count('max-available', values['max-available']);
const restoreRate = count('restore-rate', values['restore-rate']);
const timeoutMs = count('delivery-timeout', values['delivery-timeout']);
const duplicates = count('duplicates', values.duplicates);
const shuffleWindowMs = count('shuffle-window', values['shuffle-window']);
const retryScheduleMs = values['retry-schedule']
  ? list(values['retry-schedule']).map((item) => count('retry-schedule', item) as number)
  : undefined;

const started = performance.now();
const simulator = await startSimulator({
  host: values.host,
  port: count('port', values.port) ?? 4010,
  ...(values['api-key'] ? { apiKey: values['api-key'] } : {}),
  ...(values['api-secret'] ? { apiSecret: values['api-secret'] } : {}),
  shops: Array.from({ length: shopCount }, (_, index) => ({
    seed: seed + index,
    currency: currencies[index % currencies.length] as string,
    timezone: timezones[index % timezones.length] as string,
    ...(orders !== undefined ? { orderCount: orders } : {}),
    ...(customers !== undefined ? { customerCount: customers } : {}),
    ...(products !== undefined ? { productCount: products } : {}),
    ...(checkouts !== undefined ? { checkoutCount: checkouts } : {}),
    ...(values['start-date'] ? { startDate: values['start-date'] } : {}),
    ...(days !== undefined ? { days } : {}),
  })),
  throttle: {
    ...(maximumAvailable !== undefined ? { maximumAvailable } : {}),
    ...(restoreRate !== undefined ? { restoreRate } : {}),
    mode: values['throttle-429'] ? '429' : 'graphql',
  },
  delivery: {
    ...(retryScheduleMs ? { retryScheduleMs } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(duplicates !== undefined ? { duplicates } : {}),
    ...(shuffleWindowMs !== undefined ? { shuffleWindowMs } : {}),
  },
});

const lines = [
  `Shopify simulator on ${simulator.url} (started in ${Math.round(performance.now() - started)} ms)`,
  '',
];
for (const domain of simulator.shops) {
  const { params } = simulator.shop(domain).store.generated;
  lines.push(
    `${domain}  ${params.orderCount} orders, ${params.customerCount} customers, ${params.productCount} products, ${params.currency}, ${params.timezone}`,
    `  base URL      ${simulator.shopBaseUrl(domain)}`,
    `  GraphQL       ${simulator.shopBaseUrl(domain)}/admin/api/2026-04/graphql.json`,
    `  access token  ${simulator.issueAccessToken(domain)}`,
    '',
  );
}
lines.push(`Shops and deliveries: ${simulator.url}/_simulator, ${simulator.url}/_simulator/deliveries`, '');
process.stdout.write(lines.join('\n'));

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void simulator.close().then(() => process.exit(0));
  });
}
