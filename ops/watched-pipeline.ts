/**
 * A pipeline whose every session is under one run's watchdog (src/guard), as the CLI builds it for
 * a command and the scheduler for each job run. Probes get a short deadline of their own, so a
 * frozen server cannot hold up the verdict.
 */
import type { RunLimits } from '../src/guard/run-limits.js';
import { RunWatch } from '../src/guard/run-watch.js';
import { watchConnector } from '../src/guard/watched-connector.js';
import { createConnector } from '../src/db/mysql-driver.js';
import { createPipeline, type Pipeline, type PipelineConfig } from '../src/pipeline.js';

/** Builds the pipeline of `config`; with `watch`, every session is watched by it. */
export function createWatchedPipeline(config: PipelineConfig, limits: Pick<RunLimits, 'connectTimeoutMs' | 'stallTimeoutMs'>, watch?: RunWatch): Pipeline {
  const { connectTimeoutMs, stallTimeoutMs } = limits;
  const probeMs = Math.max(1000, Math.min(5000, connectTimeoutMs, stallTimeoutMs || 5000));
  return createPipeline(config, (target) => {
    const connector = createConnector(target, { connectTimeoutMs });
    if (!watch) return connector;
    return watchConnector(connector, watch, { connector: createConnector(target, { connectTimeoutMs: probeMs }), timeoutMs: probeMs });
  });
}

/** Runs a job's body with the pipeline it should use (watched or not). */
export type RunIn = <T>(kind: string, body: (pipeline: Pipeline) => Promise<T>) => Promise<T>;

/**
 * Runs `body` with a pipeline under a watchdog of its own (kind `kind`, bounds `limits`): one per
 * job run of the scheduler, so a stall stops that run and never the jobs after it.
 */
export async function runWatched<T>(config: PipelineConfig, limits: RunLimits, kind: string, body: (pipeline: Pipeline) => Promise<T>): Promise<T> {
  const watch = new RunWatch({ kind, stallTimeoutMs: limits.stallTimeoutMs, maxRuntimeMs: limits.maxRuntimeMs });
  try {
    return await Promise.race([body(createWatchedPipeline(config, limits, watch)), watch.tripped]);
  } finally {
    watch.stop();
  }
}
