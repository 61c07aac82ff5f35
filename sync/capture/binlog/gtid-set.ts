/**
 * MySQL GTID sets as text (`uuid:1-5:7,uuid2:tag:1-3`, as gtid_executed prints them; tags since
 * MySQL 8.3), parsed into intervals per source and tag, for one question: does the set hold this
 * transaction? Pure.
 */

/** Intervals (inclusive) per `uuid` or `uuid:tag`, lower case. */
export type GtidSet = Map<string, [number, number][]>;

/** Parses a GTID set; an empty text is the empty set. Throws on text that is not one. */
export function parseGtidSet(text: string): GtidSet {
  const set: GtidSet = new Map();
  const compact = text.replace(/\s+/g, '');
  if (!compact) return set;
  for (const member of compact.split(',')) {
    const parts = member.split(':');
    const uuid = parts.shift()!.toLowerCase();
    if (!/^[0-9a-f-]{36}$/.test(uuid)) throw new Error(`not a GTID set: ${member.slice(0, 80)}`);
    let tag = '';
    for (const p of parts) {
      const range = /^(\d+)(?:-(\d+))?$/.exec(p);
      if (!range) {
        if (!/^[a-z_][a-z0-9_]{0,31}$/i.test(p)) throw new Error(`not a GTID set: ${member.slice(0, 80)}`);
        tag = p.toLowerCase();
        continue;
      }
      const key = tag ? `${uuid}:${tag}` : uuid;
      const list = set.get(key) ?? [];
      list.push([Number(range[1]), Number(range[2] ?? range[1])]);
      set.set(key, list);
    }
  }
  return set;
}

/** True when `set` holds the transaction `uuid[:tag]:gno`. */
export function gtidSetHas(set: GtidSet, uuid: string, tag: string, gno: number): boolean {
  const list = set.get(tag ? `${uuid.toLowerCase()}:${tag.toLowerCase()}` : uuid.toLowerCase());
  return list?.some(([a, b]) => gno >= a && gno <= b) ?? false;
}
