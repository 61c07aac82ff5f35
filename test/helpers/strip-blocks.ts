/** Backups as an older dualpipe wrote them, for tests that a new reader still takes them. */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A copy of an (unencrypted) backup with its manifest as written before chunk blocks (`blocks`
 * gone) and, with `keyIndex: false`, before the per-chunk key ranges too (`keyColumns`,
 * `keyRanges` gone).
 */
export function stripBlocks(from: string, to: string, { keyIndex = true }: { keyIndex?: boolean } = {}): string {
  cpSync(from, to, { recursive: true });
  const m = JSON.parse(readFileSync(join(to, 'manifest.json'), 'utf8')) as { tables: { keyColumns?: unknown; chunks: { blocks?: unknown; keyRanges?: unknown }[] }[] };
  for (const t of m.tables) {
    if (!keyIndex) delete t.keyColumns;
    for (const c of t.chunks) {
      delete c.blocks;
      if (!keyIndex) delete c.keyRanges;
    }
  }
  writeFileSync(join(to, 'manifest.json'), JSON.stringify(m));
  return to;
}
