/** What went wrong in a case, and a class name to group failures by. */
export type FailureKind =
  | 'crash'
  | 'run-error'
  | 'refusal-changed-mirrors'
  | 'mirror-diverges'
  | 'mirror-diverges+verify-blind'
  | 'verify-false-alarm'
  | 'verify-blind'
  | 'restore-diverges'
  | 'harness-error';

export interface Failure {
  kind: FailureKind;
  /** `full sync`, `incremental sync 2`, `restore`, … */
  step: string;
  table?: string | undefined;
  detail: string;
  /** Data types of the columns that differ (mirror/restore differences), for the class name. */
  columns: string[];
  what?: string;
}

/**
 * A short, stable class for a failure: the kind, the phase (full/incremental/…), and the data types
 * involved or the error message with names and numbers taken out.
 */
export function classify(f: Failure): string {
  const phase = f.step.replace(/\d+/g, '').replace(/^tamper:.*/, 'tamper').trim();
  if (f.columns.length > 0 || f.what) {
    const types = [...new Set(f.columns)].sort().join('+') || f.what || '';
    return `${f.kind} @ ${phase}: ${types}`;
  }
  const msg = f.detail
    .split('\n')[0]!
    .replace(/`[^`]*`|'[^']*'|"[^"]*"/g, '?')
    .replace(/\btt_[0-9a-f]+\w*/g, '?')
    .replace(/\/tmp\/\S+/g, '?')
    .replace(/\b(of|for|table|in) [^\s:]+/g, '$1 ?')
    .replace(/\d+(\.\d+)?/g, 'N')
    .slice(0, 90);
  return `${f.kind} @ ${phase}: ${msg}`;
}
