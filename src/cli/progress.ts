import cliProgress from 'cli-progress';
import type { Logger } from '../log/logger.js';
import type { CliIo } from './io.js';

/** Per-item progress: bars on a terminal, a plain log line every few seconds otherwise. */
export interface Progress {
  update(item: string, done: number, total: number, unit?: string): void;
  stop(): void;
}

export function createProgress(io: CliIo, log: Logger, options: { intervalMs?: number } = {}): Progress {
  if (io.stderr.isTTY) {
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
    const bars = new Map<string, { bar: cliProgress.SingleBar; start: number }>();
    return {
      update(item, done, total, unit = 'rows') {
        let entry = bars.get(item);
        if (!entry) {
          entry = {
            bar: multi.create(Math.max(total, 1), 0, { item: item.padEnd(26), unit, speed: 0 }),
            start: Date.now(),
          };
          bars.set(item, entry);
        }
        const secs = Math.max((Date.now() - entry.start) / 1000, 0.001);
        entry.bar.setTotal(Math.max(total, done, 1));
        entry.bar.update(done, { speed: Math.round(done / secs) });
      },
      stop: () => multi.stop(),
    };
  }
  const interval = options.intervalMs ?? 5_000;
  const last = new Map<string, number>();
  return {
    update(item, done, total, unit = 'rows') {
      const now = Date.now();
      const finished = done >= total;
      if (!finished && now - (last.get(item) ?? 0) < interval) return;
      last.set(item, now);
      log.info({ item, done, total, unit }, `progress ${item}: ${done}/${total} ${unit}`);
    },
    stop() {},
  };
}
