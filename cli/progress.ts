import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';
import type { Logger } from '../api/index.js';
import type { CliIo } from './io.js';

/** Per-item progress: bars on a terminal, a plain log line every few seconds otherwise. */
export interface Progress {
  update(item: string, done: number, total: number, unit?: string): void;
  stop(): void;
}

/**
 * On a terminal (`io.stderr.isTTY`), one bar per item. Otherwise one plain log line per item at
 * most every `intervalMs` (default 5 s), plus its first update and, once, its completion: a cron
 * job's log shows that a long run is moving without a line per chunk.
 */
export function createProgress(io: CliIo, log: Logger, options: { intervalMs?: number; now?: () => number } = {}): Progress {
  const now = options.now ?? Date.now;
  if (io.stderr.isTTY) {
    // Required here, not imported at the top: only a terminal shows bars, and every command's
    // start-up would otherwise pay for loading cli-progress (see test/cli/startup-imports.test.ts).
    const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress;
    const multi = new cliProgress.MultiBar(
      {
        stream: io.stderr as NodeJS.WritableStream,
        format: ' {item} [{bar}] {percentage}% | {value}/{total} {unit} | {speed}/s | eta {eta_formatted}',
        hideCursor: true,
        clearOnComplete: false,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    const bars = new Map<string, { bar: CliProgress.SingleBar; start: number }>();
    return {
      update(item, done, total, unit = 'rows') {
        let entry = bars.get(item);
        if (!entry) {
          entry = {
            bar: multi.create(Math.max(total, 1), 0, { item: item.padEnd(26), unit, speed: 0 }),
            start: now(),
          };
          bars.set(item, entry);
        }
        const secs = Math.max((now() - entry.start) / 1000, 0.001);
        entry.bar.setTotal(Math.max(total, done, 1));
        entry.bar.update(done, { speed: Math.round(done / secs) });
      },
      stop: () => multi.stop(),
    };
  }
  const interval = options.intervalMs ?? 5_000;
  const last = new Map<string, number>();
  const finished = new Set<string>();
  return {
    update(item, done, total, unit = 'rows') {
      const t = now();
      const complete = done >= total;
      // Completion is logged once: a total that rounds to 0 (a few kB as "MB") is complete at every update.
      if (complete ? finished.has(item) : last.has(item) && t - last.get(item)! < interval) return;
      last.set(item, t);
      if (complete) finished.add(item);
      else finished.delete(item);
      const pct = total > 0 ? ` (${Math.min(100, Math.floor((done / total) * 100))}%)` : '';
      log.info({ item, done, total, unit }, `progress ${item}: ${done}/${total} ${unit}${pct}`);
    },
    stop() {},
  };
}
