import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one server instance (its own registry, so tests can run several). */
export class Metrics {
  readonly registry = new Registry();
  readonly calls = new Counter({ name: 'phonevoice_calls_total', help: 'Calls by status reached', labelNames: ['status'], registers: [this.registry] });
  readonly activeCalls = new Gauge({ name: 'phonevoice_active_calls', help: 'Calls queued, ringing or in progress', registers: [this.registry] });
  readonly webhookAttempts = new Counter({ name: 'phonevoice_webhook_attempts_total', help: 'Webhook delivery attempts by outcome', labelNames: ['outcome'], registers: [this.registry] });
  readonly webhookLatency = new Histogram({
    name: 'phonevoice_webhook_attempt_seconds', help: 'Webhook attempt duration', labelNames: ['outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [this.registry],
  });
  readonly http = new Histogram({
    name: 'phonevoice_http_request_seconds', help: 'HTTP request latency', labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'phonevoice_' });
  }
}
