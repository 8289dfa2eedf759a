import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { AppEnv } from './env.ts';
import { createRouter } from './openapi.ts';

const DEFAULT_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

interface Series {
  labels: string;
  count: number;
  sumSeconds: number;
  bucketCounts: number[];
}

/**
 * Request counts and durations by method, route pattern and status, in Prometheus text format.
 * Labels use the route pattern (`/api/v1/plants/:id`), never the raw path, so cardinality stays bounded.
 */
export function createHttpMetrics({ bucketsSeconds = DEFAULT_BUCKETS_SECONDS } = {}) {
  const series = new Map<string, Series>();
  const startedAtSeconds = Date.now() / 1000;
  let inFlight = 0;

  const observe = (method: string, route: string, status: number, seconds: number) => {
    const labels = `method="${method}",route="${escapeLabel(route)}",status="${status}"`;
    let entry = series.get(labels);
    if (!entry) {
      entry = { labels, count: 0, sumSeconds: 0, bucketCounts: bucketsSeconds.map(() => 0) };
      series.set(labels, entry);
    }
    entry.count += 1;
    entry.sumSeconds += seconds;
    bucketsSeconds.forEach((bound, index) => {
      if (seconds <= bound) entry.bucketCounts[index]! += 1;
    });
  };

  const middleware: MiddlewareHandler<AppEnv> = async (c, next) => {
    const startedMs = performance.now();
    inFlight += 1;
    try {
      await next();
    } finally {
      inFlight -= 1;
      observe(
        c.req.method,
        routePath(c, -1) || 'unmatched',
        c.res.status,
        (performance.now() - startedMs) / 1000,
      );
    }
  };

  const render = (): string => {
    const lines = [
      '# HELP http_requests_total Requests answered, by method, route and status.',
      '# TYPE http_requests_total counter',
      ...[...series.values()].map((entry) => `http_requests_total{${entry.labels}} ${entry.count}`),
      '# HELP http_request_duration_seconds Time to answer a request.',
      '# TYPE http_request_duration_seconds histogram',
      ...[...series.values()].flatMap((entry) => [
        ...bucketsSeconds.map(
          (bound, index) =>
            `http_request_duration_seconds_bucket{${entry.labels},le="${bound}"} ${entry.bucketCounts[index]}`,
        ),
        `http_request_duration_seconds_bucket{${entry.labels},le="+Inf"} ${entry.count}`,
        `http_request_duration_seconds_sum{${entry.labels}} ${entry.sumSeconds}`,
        `http_request_duration_seconds_count{${entry.labels}} ${entry.count}`,
      ]),
      '# HELP http_requests_in_flight Requests being answered now.',
      '# TYPE http_requests_in_flight gauge',
      `http_requests_in_flight ${inFlight}`,
      '# HELP process_start_time_seconds When the process started, in Unix seconds.',
      '# TYPE process_start_time_seconds gauge',
      `process_start_time_seconds ${startedAtSeconds}`,
      '# HELP nodejs_heap_used_bytes V8 heap in use.',
      '# TYPE nodejs_heap_used_bytes gauge',
      `nodejs_heap_used_bytes ${process.memoryUsage().heapUsed}`,
    ];
    return `${lines.join('\n')}\n`;
  };

  return { middleware, render };
}

export type HttpMetrics = ReturnType<typeof createHttpMetrics>;

/** `GET /metrics`; unauthenticated, so keep the port off the public internet or scrape through a proxy. */
export function metricsRoutes({ metrics }: { metrics: HttpMetrics }) {
  return createRouter().get('/metrics', (c) =>
    c.body(metrics.render(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }),
  );
}

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}
