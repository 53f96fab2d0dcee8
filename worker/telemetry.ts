import { DbmoveError } from '../common/errors';
import type { TelemetryOptions, WorkerOptions } from '@temporalio/worker';

/**
 * Observability of the worker, both off unless asked for:
 *
 *   DBMOVE_METRICS_ADDRESS=0.0.0.0:9464   Temporal's runtime metrics (temporal_* : task
 *                                         latencies, polls, activity and workflow counts) in
 *                                         Prometheus format at http://ADDRESS/metrics
 *   DBMOVE_OTEL_ENDPOINT=http://collector:4318/v1/traces
 *                                         OpenTelemetry spans for workflows and activities,
 *                                         sent over OTLP/HTTP (service name DBMOVE_OTEL_SERVICE, default dbmove-worker)
 */
export function telemetryOptions(env: NodeJS.ProcessEnv = process.env): TelemetryOptions | undefined {
  const bindAddress = env.DBMOVE_METRICS_ADDRESS?.trim();
  if (!bindAddress) return undefined;
  if (!/^[^\s:]+:\d{1,5}$/.test(bindAddress)) {
    throw new DbmoveError(
      'ConfigError',
      `DBMOVE_METRICS_ADDRESS="${bindAddress}" is not host:port; use for example 127.0.0.1:9464 (or 0.0.0.0:9464 to expose it)`,
    );
  }
  return { metrics: { prometheus: { bindAddress } } };
}

/** Worker options that add tracing; the workflow interceptors need the workflows bundled at start. */
export function tracingWorkerOptions(env: NodeJS.ProcessEnv = process.env): Partial<WorkerOptions> | undefined {
  const url = env.DBMOVE_OTEL_ENDPOINT?.trim();
  if (!url) return undefined;
  // Loaded only when asked for, so a worker without tracing never loads OpenTelemetry.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { OpenTelemetryPlugin } = require('@temporalio/interceptors-opentelemetry') as typeof import('@temporalio/interceptors-opentelemetry');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base') as typeof import('@opentelemetry/sdk-trace-base');
  const { Resource } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const plugin = new OpenTelemetryPlugin({
    resource: new Resource({ 'service.name': env.DBMOVE_OTEL_SERVICE ?? 'dbmove-worker' }),
    spanProcessor: new BatchSpanProcessor(new OTLPTraceExporter({ url })),
  });
  return { plugins: [plugin], workflowsPath: require.resolve('../workflows'), workflowBundle: undefined };
}
