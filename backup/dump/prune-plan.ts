/**
 * Retention, decided from plain values (the clock is passed in). Keeps the newest `keepLast`
 * complete backups and, with `keepDays`, every complete backup younger than that; never deletes
 * the newest complete backup whatever the settings; deletes an incomplete backup (no manifest)
 * only when nothing in it changed for `incompleteGraceHours`, so a backup still being written is safe.
 * With `forgotten` (`--forgotten`), a complete backup that still holds forgotten subjects
 * (forgotten-backups.ts) is removed even where the rules above keep it, when it is not the newest
 * complete backup and a newer complete backup that holds none exists (so a restore never loses
 * its last good starting point to an erasure).
 */
export interface BackupEntry {
  name: string;
  complete: boolean;
  /** When the backup finished (complete) or its folder was last modified (incomplete). */
  at: Date;
}

/** Which backups a prune keeps and removes, and why. */
export interface PruneDecision {
  keep: { name: string; why: string }[];
  remove: { name: string; why: string }[];
}

/**
 * Decides which backups a prune keeps and removes, with the reason for each, by the rules of the
 * file header; `incompleteGraceHours` defaults to 1 (a running backup writes a
 * chunk far more often than that; a failed one is removed an hour later, not kept for ever). Pure: `now` is passed in.
 */
export function planPrune(
  entries: readonly BackupEntry[],
  options: { keepLast: number; keepDays?: number; now: Date; incompleteGraceHours?: number; forgotten?: ReadonlyMap<string, readonly string[]> },
): PruneDecision {
  const keep: PruneDecision['keep'] = [];
  const remove: PruneDecision['remove'] = [];
  const complete = entries.filter((e) => e.complete).sort((a, b) => b.at.getTime() - a.at.getTime());
  const ageDays = (e: BackupEntry) => (options.now.getTime() - e.at.getTime()) / 86_400_000;
  const marked = (e: BackupEntry) => (options.forgotten?.get(e.name)?.length ?? 0) > 0;
  complete.forEach((e, i) => {
    const n = options.forgotten?.get(e.name)?.length ?? 0;
    if (i > 0 && n > 0 && complete.slice(0, i).some((newer) => !marked(newer)))
      remove.push({ name: e.name, why: `holds the subjects of ${n} erasure(s) since it was taken; a newer backup without them exists` });
    else if (i === 0) keep.push({ name: e.name, why: 'newest complete backup (always kept)' });
    else if (i < options.keepLast) keep.push({ name: e.name, why: options.keepLast >= Number.MAX_SAFE_INTEGER ? 'no --keep-last: kept' : `among the newest ${options.keepLast}` });
    else if (options.keepDays !== undefined && ageDays(e) <= options.keepDays) {
      keep.push({ name: e.name, why: `younger than ${options.keepDays} days` });
    } else {
      remove.push({
        name: e.name,
        why: `older than the newest ${options.keepLast}${options.keepDays !== undefined ? ` and than ${options.keepDays} days` : ''}`,
      });
    }
  });
  const grace = (options.incompleteGraceHours ?? 1) / 24;
  for (const e of entries.filter((x) => !x.complete)) {
    if (ageDays(e) > grace) remove.push({ name: e.name, why: 'incomplete (no manifest) and stale' });
    else keep.push({ name: e.name, why: 'incomplete, may still be running' });
  }
  return { keep, remove };
}
