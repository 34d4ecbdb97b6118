// Minimal typings for the parts of autocannon's programmatic API the benchmarks use (the package ships none).
declare module "autocannon" {
  interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p97_5: number;
    p99: number;
    p99_9: number;
  }
  interface Result {
    requests: Histogram & { sent: number };
    latency: Histogram;
    throughput: Histogram;
    errors: number;
    timeouts: number;
    non2xx: number;
    duration: number;
    connections: number;
    "2xx": number;
    statusCodeStats?: Record<string, { count: number }>;
  }
  interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    connections?: number;
    duration?: number;
    amount?: number;
    pipelining?: number;
    timeout?: number;
    idReplacement?: boolean;
    tlsOptions?: Record<string, unknown>;
    setupClient?: (client: unknown) => void;
  }
  type Instance = Promise<Result> & {
    stop(): void;
    on(
      event: "response",
      fn: (client: unknown, statusCode: number, resBytes: number, responseTimeMs: number) => void,
    ): void;
  };
  function autocannon(opts: Options): Instance;
  export default autocannon;
  export type { Instance, Options, Result };
}
