/**
 * Types for the part of autocannon 9's programmatic API the intake bench uses (the package ships none).
 * Field meanings and units follow node_modules/autocannon/README.md.
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  /** What `setupRequest` may change on a request before autocannon serializes it. */
  export type RequestParams = {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  };

  /** Per-connection scratch object, reset each time the connection starts over its `requests` list. */
  export type RequestContext = Record<string, unknown>;

  export type RequestSpec = RequestParams & {
    /** Called before each request is sent; returns the request to send. */
    setupRequest?: (request: RequestParams, context: RequestContext) => RequestParams;
    /** Called with each response, in the same context as the request it answers. */
    onResponse?: (status: number, body: string, context: RequestContext) => void;
  };

  export type Options = {
    url: string;
    /** Concurrent connections, each with one request in flight (no pipelining). */
    connections?: number;
    /** Run length in seconds. */
    duration?: number;
    /** Requests over all connections after which the run ends, even before `duration`. */
    maxOverallRequests?: number;
    /** Seconds to wait for a response before counting a timeout. */
    timeout?: number;
    method?: string;
    requests?: RequestSpec[];
  };

  /** Percentiles and summary of a histogram; latency values are in milliseconds. */
  export type Histogram = {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    p50: number;
    p90: number;
    p99: number;
    p99_9: number;
  };

  export type Result = {
    latency: Histogram;
    requests: Histogram;
    /** Run length in seconds, rounded to 10 ms and counted to the sampling tick that noticed the end. */
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    '2xx': number;
    statusCodeStats: Record<string, { count: number }>;
  };

  export type Instance = EventEmitter & PromiseLike<Result> & { stop(): void };

  export default function autocannon(options: Options): Instance;
}
