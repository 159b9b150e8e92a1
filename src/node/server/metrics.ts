// GET /metrics (METRICS=on): the service's figures in the Prometheus text format, through
// prom-client on a registry of our own. Labels are fixed names (route-label.ts, formats, watch
// modes, status codes), never paths: nothing about files, inside the articles folder or out.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FeedStore } from '../../store/types.ts';
import type { ResponseRecord } from './response-meter.ts';
import type { RouteLabel } from './route-label.ts';

export interface MetricsSources {
  store: FeedStore;
  /** The first scan: files done of those found, and how long it took once done. */
  scan(): { done: number; total: number; ready: boolean; seconds?: number };
  /** The watch mode (native, chokidar, polling, starting) and files waiting to be read. */
  intake(): { mode: string; pending: number } | undefined;
}

export interface Metrics {
  /** One response, under its route label (route-label.ts). */
  response(record: ResponseRecord, route: RouteLabel): void;
  feedRendered(ms: number, format: string): void;
  /** A file change reached the store `ms` after its watch event. */
  fileToFeed(ms: number): void;
  text(): Promise<{ body: string; contentType: string }>;
}

const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300];

export function createMetrics(sources: MetricsSources): Metrics {
  const registers = [new Registry()];
  const [registry] = registers as [Registry];
  collectDefaultMetrics({ register: registry });
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers });

  const articles = gauge('wirefeed_articles', 'Articles published (scheduled ones not counted).');
  const sections = gauge('wirefeed_sections', 'Sections with at least one article.');
  const rejected = gauge('wirefeed_rejected_files', 'Article files rejected (see /status for the reasons).');
  const scheduled = gauge('wirefeed_scheduled_articles', 'Articles dated in the future, waiting for their time.');
  const ready = gauge('wirefeed_ready', '1 once the first scan is in (GET /readyz answers 200).');
  const scanDone = gauge('wirefeed_scan_files_done', 'Files the first scan has gone through.');
  const scanTotal = gauge('wirefeed_scan_files_total', 'Files the first scan found (0 while it lists the folder).');
  const scanSeconds = gauge('wirefeed_scan_duration_seconds', 'How long the first scan took (absent until it is done).');
  const watcher = gauge('wirefeed_watcher_info', 'The watch mode in use, as a label (native, chokidar, polling, starting).', ['mode']);
  const queue = gauge('wirefeed_intake_queue_files', 'Changed files waiting to be read or being read.');
  const fileToFeed = new Histogram({
    name: 'wirefeed_file_to_feed_seconds',
    help: 'From a watch event to the change in the store (and so in the feeds), settle time included.',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const requests = new Counter({ name: 'wirefeed_http_requests_total', help: 'Responses by route and status (304s: not modified).', labelNames: ['route', 'status'], registers });
  const bytes = new Counter({ name: 'wirefeed_http_response_bytes_total', help: 'Body bytes sent (after compression), by route.', labelNames: ['route'], registers });
  const incomplete = new Counter({ name: 'wirefeed_http_responses_incomplete_total', help: 'Responses cut short (the client went away, or a stop ran out of time).', labelNames: ['route'], registers });
  const duration = new Histogram({ name: 'wirefeed_http_request_duration_seconds', help: 'From request to the last byte handed to the system, by route.', labelNames: ['route'], buckets: SECONDS_BUCKETS, registers });
  const render = new Histogram({ name: 'wirefeed_feed_render_seconds', help: 'Time to assemble one feed document (on a change, not per request), by format.', labelNames: ['format'], buckets: SECONDS_BUCKETS, registers });

  return {
    response(record, route) {
      requests.inc({ route, status: String(record.status) });
      bytes.inc({ route }, record.bytes);
      duration.observe({ route }, record.ms / 1000);
      if (!record.complete) incomplete.inc({ route });
    },
    feedRendered: (ms, format) => render.observe({ format }, ms / 1000),
    fileToFeed: (ms) => fileToFeed.observe(ms / 1000),
    async text() {
      const status = await sources.store.status();
      articles.set(status.articles);
      sections.set(status.sections.length);
      rejected.set(status.rejected.length);
      scheduled.set(status.scheduled);
      const scan = sources.scan();
      ready.set(scan.ready ? 1 : 0);
      scanDone.set(scan.done);
      scanTotal.set(scan.total);
      if (scan.seconds !== undefined) scanSeconds.set(scan.seconds);
      const intake = sources.intake();
      watcher.reset();
      watcher.set({ mode: intake?.mode ?? 'starting' }, 1);
      queue.set(intake?.pending ?? 0);
      return { body: await registry.metrics(), contentType: registry.contentType };
    },
  };
}
