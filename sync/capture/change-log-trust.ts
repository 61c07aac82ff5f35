/**
 * When the change log is a safe guide since the live set: only while the capture, the tables and
 * the reports are as they were at the last sync. An incremental run is a full sync otherwise
 * (plan-incremental.ts); a full sync under trigger capture keeps the set it replaces only then
 * (sync/shadow/trigger-catch-up.ts).
 */
import { normalizeDdl } from '../../src/catalog/source-state.js';
import { changeLimit } from './change-log.js';

/** What an incremental run needs from the last successful sync's details. */
export interface LastDetails {
  tables?: { table: string }[];
  reportHashes?: Record<string, string>;
  captureId?: number | null;
  tableIds?: Record<string, string> | null;
}

/** Why the log can not be trusted for this run, or undefined. Pure. */
export function fullSyncReason(o: {
  /** Trigger capture when absent. */
  method?: 'triggers' | 'binlog';
  /** Binlog capture: the live generation's resume position. */
  resume?: string | null;
  captureId: number | null;
  /** Installed trigger fingerprint, and the one the current keys and foreign keys call for. */
  fingerprint?: { installed: string | null; expected: string };
  /** Report fingerprints now, and as the last sync recorded them. */
  reports?: { now: Record<string, string>; last: Record<string, string> | undefined };
  uncapturedWithKey: readonly string[];
  last: { details: LastDetails; ddl: Record<string, string> } | undefined;
  liveGeneration: number | null;
  ddl: Record<string, string>;
  pending: number;
  sourceRows: number;
  maxChangeShare: number;
}): string | undefined {
  const binlog = o.method === 'binlog';
  if (!binlog && o.captureId === null) return 'change capture is not installed (run `dualpipe capture install`)';
  if (!o.last) return 'no earlier sync';
  if (!binlog && o.last.details.captureId !== o.captureId) return 'the last full sync predates the change capture installation';
  if (o.liveGeneration === null) return 'the live report tables carry no generation marker';
  // The binlog holds every change from any position on: only where to start must be known.
  if (binlog && !o.resume) return 'binlog capture: the live set records no binlog position to resume from (published by a sync that could not read the binlog)';
  if (!binlog && o.uncapturedWithKey.length) return `triggers missing on ${o.uncapturedWithKey.join(', ')} (run \`dualpipe capture install\`)`;
  if (!binlog && o.fingerprint && o.fingerprint.installed !== o.fingerprint.expected) {
    return 'the capture triggers no longer fit the tables\' keys and foreign keys, or log keys in an older format (run `dualpipe capture install`)';
  }
  if (o.reports) {
    const changed = Object.keys(o.reports.now).filter((r) => o.reports!.last?.[r] !== o.reports!.now[r]);
    if (changed.length) return `the definition of report(s) ${changed.join(', ')} changed since the last sync`;
  }
  const before = Object.keys(o.last.ddl).sort();
  const now = Object.keys(o.ddl).sort();
  if (before.join('\u0000') !== now.join('\u0000')) return 'the set of source tables changed';
  const altered = now.filter((t) => normalizeDdl(o.ddl[t]!) !== normalizeDdl(o.last!.ddl[t] ?? ''));
  if (altered.length) return `the definition of ${altered.join(', ')} changed`;
  if (o.pending > changeLimit(o.sourceRows, o.maxChangeShare)) return `${o.pending} changes pending: a full sync is cheaper`;
  return undefined;
}
