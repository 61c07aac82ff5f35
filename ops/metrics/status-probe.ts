/**
 * What scrapes read from the servers: the data age and last backup from the run history
 * (read-status.ts) and the changes waiting in capture (change-capture.ts). A read is bounded by a
 * timeout and its result cached for a few seconds, and scrapes arriving during a read share it:
 * Prometheus (or several of them) never hammers the server, and a hung server never hangs a scrape.
 */
import type { Pipeline } from '../../src/pipeline.js';
import { changeCaptureStatus } from '../change-capture.js';
import { pipelineStatus } from '../read-status.js';

/** What one read found; times are Unix seconds, null when there is none yet. */
export interface ProbeFacts {
  lastSyncAt: number | null;
  lastBackupAt: number | null;
  captureInstalled: boolean;
  capturePending: number;
}

/** The outcome of the latest read: the facts, or why they could not be read. */
export type ProbeResult = { ok: true; at: number; facts: ProbeFacts } | { ok: false; at: number; error: string };

/** Reads the facts on demand, cached. */
export interface StatusProbe {
  /** The latest facts, read now unless a read younger than the cache time exists (never rejects). */
  read(): Promise<ProbeResult>;
  /** The latest result without reading; undefined before the first read. */
  readonly last: ProbeResult | undefined;
}

/** Options of `createStatusProbe`. */
export interface StatusProbeOptions {
  /** A read taking longer than this fails (default 5000 ms). */
  timeoutMs?: number;
  /** A result is reused for this long (default 5000 ms). */
  cacheMs?: number;
  /** The clock (ms since the epoch); tests pass their own. */
  now?: () => number;
  /** Replaces the server reads (tests of the failure path). */
  readFacts?: () => Promise<ProbeFacts>;
}

/** History times are UTC wall-clock text (the sessions run in +00:00). */
function unixSeconds(text: string | null | undefined): number | null {
  if (!text) return null;
  const ms = new Date(`${text.replace(' ', 'T')}Z`).getTime();
  return Number.isNaN(ms) ? null : ms / 1000;
}

/** Reads the facts from the servers of `pipeline`. */
export async function readProbeFacts(pipeline: Pipeline): Promise<ProbeFacts> {
  const [status, capture] = await Promise.all([
    pipelineStatus({ report: pipeline.report, reportSchema: pipeline.reportSchema }),
    changeCaptureStatus(pipeline),
  ]);
  return {
    lastSyncAt: unixSeconds(status.lastSyncAt),
    lastBackupAt: unixSeconds(status.lastBackup?.finishedAt),
    captureInstalled: capture.installed,
    capturePending: capture.pending,
  };
}

/** Creates the probe of `pipeline`. */
export function createStatusProbe(pipeline: Pipeline, options: StatusProbeOptions = {}): StatusProbe {
  const timeoutMs = options.timeoutMs ?? 5000;
  const cacheMs = options.cacheMs ?? 5000;
  const now = options.now ?? Date.now;
  const readFacts = options.readFacts ?? (() => readProbeFacts(pipeline));
  let last: ProbeResult | undefined;
  let inFlight: Promise<ProbeResult> | undefined;
  // A read still going on the server after its timeout: the next scrape waits on it again rather
  // than opening more sessions on a server that hangs.
  let pending: Promise<ProbeFacts> | undefined;
  const readOnce = async (): Promise<ProbeResult> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`server read took over ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      pending ??= readFacts().finally(() => {
        pending = undefined;
      });
      const facts = await Promise.race([pending, timeout]);
      return { ok: true, at: now(), facts };
    } catch (error) {
      return { ok: false, at: now(), error: error instanceof Error ? error.message : String(error) };
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    get last() {
      return last;
    },
    read() {
      if (last && now() - last.at < cacheMs) return Promise.resolve(last);
      inFlight ??= readOnce().then((r) => {
        last = r;
        inFlight = undefined;
        return r;
      });
      return inFlight;
    },
  };
}
