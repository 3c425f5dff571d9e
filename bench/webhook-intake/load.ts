/**
 * The load generator: autocannon, in this process, replaying pre-signed deliveries one per request.
 *
 * Each request takes the next delivery from a queue shared by all connections, so within one pass over the
 * queue no body is sent twice (a repeated event id would be deduplicated and inflate the intake rate).
 * Rates are computed from this module's own clock (first request to last response) because autocannon's
 * `duration` is rounded up to its one-second sampling tick.
 */
import autocannon from 'autocannon';
import type { RequestContext, RequestParams } from 'autocannon';
import { busyShare, machineCpu, processCpuSeconds } from './cpu.ts';
import type { WebhookDelivery } from './payload.ts';

/** Deliveries encoded once, and how many have been handed out so far (across warm-up and measured runs). */
export type DeliveryQueue = {
  bodies: Buffer[];
  headers: Record<string, string>[];
  /** Deliveries handed out; the next one is `taken % bodies.length`. */
  taken: number;
};

export type LoadOptions = {
  url: string;
  connections: number;
  /** Upper bound on the run, in seconds. */
  durationSeconds: number;
  /** Ends the run early once this many requests were sent (all answered). Omit to cycle the queue. */
  maxRequests?: number;
  /** Called with the queue index of each delivery answered with a 2xx status. */
  onAccepted?: (index: number) => void;
  /** The server's process id, to report its CPU time next to the load generator's. */
  serverPid?: number;
};

/**
 * CPU used during the run: seconds per process, and the share of all the machine's cores busy (0..1) over
 * `wallSeconds` (autocannon's whole run, a little longer than `elapsedSeconds`).
 */
export type CpuUse = {
  wallSeconds: number;
  loadGeneratorSeconds: number;
  serverSeconds?: number;
  machineBusyShare?: number;
};

export type LoadResult = {
  /** Requests sent. */
  sent: number;
  /** Answers with a 2xx status. */
  accepted: number;
  /** First request to last response, in seconds. */
  elapsedSeconds: number;
  acceptedPerSecond: number;
  /** Latency percentiles over all answers, in milliseconds (autocannon's resolution is 1 ms). */
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
  /** Answers with a status other than 2xx. */
  non2xx: number;
  /** Connection errors and timeouts (no answer at all). */
  errors: number;
  timeouts: number;
  /** Count of answers per HTTP status. */
  statusCodes: Record<string, number>;
  cpu: CpuUse;
};

/** Encodes `deliveries` for the load generator; done before any clock starts. */
export function toQueue(deliveries: WebhookDelivery[]): DeliveryQueue {
  return {
    bodies: deliveries.map((delivery) => Buffer.from(delivery.body, 'utf8')),
    headers: deliveries.map((delivery) => delivery.headers),
    taken: 0,
  };
}

/** Runs one autocannon load against `options.url` with POSTs of the queue's deliveries. */
export async function runLoad(queue: DeliveryQueue, options: LoadOptions): Promise<LoadResult> {
  const { onAccepted } = options;
  let sent = 0;
  let accepted = 0;
  let lastResponseAt = 0;

  const setupRequest = (request: RequestParams, context: RequestContext): RequestParams => {
    const index = queue.taken % queue.bodies.length;
    queue.taken += 1;
    sent += 1;
    context.index = index;
    // A copy: autocannon writes Content-Length into the headers object it is given.
    return { ...request, body: queue.bodies[index], headers: { ...queue.headers[index] } };
  };
  const onResponse = (status: number, _body: string, context: RequestContext): void => {
    lastResponseAt = performance.now();
    if (status >= 200 && status < 300) {
      accepted += 1;
      onAccepted?.(context.index as number);
    }
  };

  const serverCpuBefore = options.serverPid === undefined ? undefined : processCpuSeconds(options.serverPid);
  const machineBefore = machineCpu();
  const clientBefore = process.cpuUsage();
  const startedAt = performance.now();
  const result = await autocannon({
    url: options.url,
    method: 'POST',
    connections: options.connections,
    duration: options.durationSeconds,
    ...(options.maxRequests === undefined ? {} : { maxOverallRequests: options.maxRequests }),
    requests: [{ setupRequest, onResponse }],
  });

  const finishedAt = performance.now();
  const elapsedSeconds = ((lastResponseAt || finishedAt) - startedAt) / 1000;
  const client = process.cpuUsage(clientBefore);
  const serverCpuAfter = options.serverPid === undefined ? undefined : processCpuSeconds(options.serverPid);
  return {
    sent,
    accepted,
    elapsedSeconds,
    acceptedPerSecond: accepted / elapsedSeconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: result.latency.mean,
    maxMs: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats).map(([status, stats]) => [status, stats.count]),
    ),
    cpu: {
      wallSeconds: (finishedAt - startedAt) / 1000,
      loadGeneratorSeconds: (client.user + client.system) / 1e6,
      serverSeconds:
        serverCpuBefore === undefined || serverCpuAfter === undefined
          ? undefined
          : serverCpuAfter - serverCpuBefore,
      machineBusyShare: busyShare(machineBefore, machineCpu()),
    },
  };
}
