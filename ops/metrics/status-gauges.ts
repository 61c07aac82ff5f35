/**
 * The gauges read at scrape time through a `StatusProbe`: whether the servers could be read
 * (`dualpipe_up`), how old the report data and the last backup are, and the changes waiting in
 * capture. A failed read sets `dualpipe_up` to 0 and leaves the others out: the scrape still works.
 */
import { promClient, type SchedulerMetrics } from './registry.js';
import type { ProbeResult, StatusProbe } from './status-probe.js';

/**
 * Adds the scrape-time gauges to `metrics.registry`, reading `probe` (ages against `now`, in ms).
 * Each carries the report schema as the `schema` label: prom-client always shows an unlabelled
 * gauge (as 0 after a reset), and an unknown age must be absent, not 0.
 */
export function addStatusGauges(metrics: SchedulerMetrics, probe: StatusProbe, schema: string, now: () => number = Date.now): void {
  const { Gauge } = promClient();
  const registers = [metrics.registry];
  // Each gauge's collect awaits the same (cached, shared) read, so one scrape reads the servers once.
  const gauge = (name: string, help: string, set: (g: { set(v: number): void }, r: ProbeResult, nowSeconds: number) => void) =>
    new Gauge({
      name,
      help,
      labelNames: ['schema'],
      registers,
      async collect() {
        const r = await probe.read();
        this.reset();
        set({ set: (v) => this.set({ schema }, v) }, r, now() / 1000);
      },
    });
  gauge('dualpipe_up', '1 when the last scrape-time read of the servers (run history, capture) worked, else 0.', (g, r) => g.set(r.ok ? 1 : 0));
  gauge('dualpipe_report_last_sync_timestamp_seconds', 'When the newest successful sync (full or incremental) finished, from the run history.', (g, r) => {
    if (r.ok && r.facts.lastSyncAt !== null) g.set(r.facts.lastSyncAt);
  });
  gauge('dualpipe_report_data_age_seconds', 'Age of the report data: seconds since the newest successful sync finished.', (g, r, t) => {
    if (r.ok && r.facts.lastSyncAt !== null) g.set(Math.max(0, t - r.facts.lastSyncAt));
  });
  gauge('dualpipe_backup_last_success_timestamp_seconds', 'When the newest successful backup finished, from the run history.', (g, r) => {
    if (r.ok && r.facts.lastBackupAt !== null) g.set(r.facts.lastBackupAt);
  });
  gauge('dualpipe_backup_age_seconds', 'Seconds since the newest successful backup finished.', (g, r, t) => {
    if (r.ok && r.facts.lastBackupAt !== null) g.set(Math.max(0, t - r.facts.lastBackupAt));
  });
  gauge('dualpipe_capture_installed', '1 when change capture (triggers and change log) is installed on the source.', (g, r) => {
    if (r.ok) g.set(r.facts.captureInstalled ? 1 : 0);
  });
  gauge('dualpipe_capture_pending_changes', 'Changes captured on the source and not yet applied by a sync.', (g, r) => {
    if (r.ok && r.facts.captureInstalled) g.set(r.facts.capturePending);
  });
}
