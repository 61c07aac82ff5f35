/**
 * deploy/dualpipe-alerts.yml is valid YAML with the shape Prometheus wants, and names only
 * metrics the scheduler exports. (`yaml` is already installed, with vite; no new dependency.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createSchedulerMetrics } from '../../ops/metrics/registry.js';
import { addStatusGauges } from '../../ops/metrics/status-gauges.js';
import { createStatusProbe } from '../../ops/metrics/status-probe.js';
import type { Pipeline } from '../../src/pipeline.js';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; description: string };
}

describe('deploy/dualpipe-alerts.yml', () => {
  it('parses, every rule is complete, and every dualpipe_ metric it names exists', () => {
    const doc = parse(readFileSync(new URL('../../deploy/dualpipe-alerts.yml', import.meta.url), 'utf8')) as { groups: { name: string; rules: Rule[] }[] };
    const rules = doc.groups.flatMap((g) => g.rules);
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['DualpipeSchedulerDown', 'DualpipeSchedulerAbsent', 'DualpipeReportDataTooOld', 'DualpipeJobFailed', 'DualpipeNoRecentBackup', 'DualpipeRunStalled', 'DualpipeThrottledLong']),
    );
    for (const r of rules) {
      expect(r.alert).toMatch(/^Dualpipe[A-Za-z]+$/);
      expect(typeof r.expr).toBe('string');
      expect(['warning', 'critical']).toContain(r.labels.severity);
      expect(r.annotations.summary.length).toBeGreaterThan(10);
      if (r.for !== undefined) expect(r.for).toMatch(/^\d+[smhd]$/);
    }
    const m = createSchedulerMetrics({ processMetrics: false });
    addStatusGauges(m, createStatusProbe({} as Pipeline, { readFacts: () => Promise.reject(new Error('not read')) }), 'r');
    const exported = new Set(m.registry.getMetricsAsArray().flatMap((x) => [x.name, `${x.name}_count`, `${x.name}_sum`, `${x.name}_bucket`]));
    const named = rules.flatMap((r) => r.expr.match(/\bdualpipe_[a-z_]+/g) ?? []);
    expect(named.length).toBeGreaterThan(5);
    for (const n of named) expect(exported, n).toContain(n);
  });
});
