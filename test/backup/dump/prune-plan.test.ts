import { describe, expect, it } from 'vitest';
import { planPrune } from '../../../backup/dump/prune-plan.js';

const day = 86_400_000;
const now = new Date('2026-06-30T12:00:00Z');
const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * day);
const entries = [
  { name: 'b1', complete: true, at: at(40) },
  { name: 'b2', complete: true, at: at(20) },
  { name: 'b3', complete: true, at: at(6) },
  { name: 'b4', complete: true, at: at(2) },
  { name: 'b5', complete: true, at: at(1) },
  { name: 'half-old', complete: false, at: at(3) },
  { name: 'half-new', complete: false, at: at(0.02) }, // about half an hour: may still be running
];
const names = (xs: { name: string }[]) => xs.map((x) => x.name).sort();

describe('planPrune (fake clock)', () => {
  it('keeps the newest N complete backups and removes stale incomplete ones', () => {
    const d = planPrune(entries, { keepLast: 2, now });
    expect(names(d.keep)).toEqual(['b4', 'b5', 'half-new']);
    expect(names(d.remove)).toEqual(['b1', 'b2', 'b3', 'half-old']);
  });

  it('also keeps backups younger than keepDays', () => {
    const d = planPrune(entries, { keepLast: 1, keepDays: 7, now });
    expect(names(d.keep)).toEqual(['b3', 'b4', 'b5', 'half-new']);
    expect(names(d.remove)).toEqual(['b1', 'b2', 'half-old']);
  });

  it('never removes the newest complete backup, however old', () => {
    const old = [{ name: 'only', complete: true, at: at(400) }];
    expect(planPrune(old, { keepLast: 0, keepDays: 1, now }).remove).toEqual([]);
    const d = planPrune([...old, { name: 'older', complete: true, at: at(500) }], { keepLast: 0, now });
    expect(names(d.keep)).toEqual(['only']);
    expect(names(d.remove)).toEqual(['older']);
  });

  it('moves with the clock', () => {
    const later = new Date(now.getTime() + 30 * day);
    expect(names(planPrune(entries, { keepLast: 1, keepDays: 7, now: later }).keep)).toEqual(['b5']);
  });

  it('removes an incomplete backup untouched for longer than the grace period (1 hour unless given)', () => {
    const hour = 1 / 24;
    const half = [
      { name: 'fresh', complete: false, at: at(0.5 * hour) },
      { name: 'stale', complete: false, at: at(1.5 * hour) },
      { name: 'b', complete: true, at: at(1) },
    ];
    expect(names(planPrune(half, { keepLast: 1, now }).remove)).toEqual(['stale']);
    expect(names(planPrune(half, { keepLast: 1, now, incompleteGraceHours: 2 }).remove)).toEqual([]);
    expect(names(planPrune(half, { keepLast: 1, now, incompleteGraceHours: 0.25 }).remove)).toEqual(['fresh', 'stale']);
    // An incomplete backup is never the "newest complete backup" that is always kept.
    expect(names(planPrune(half.slice(0, 2), { keepLast: 5, now }).keep)).toEqual(['fresh']);
  });
});
