/**
 * `backup prune` and incomplete backups (issue #13): a backup that failed leaves, at worst, a folder
 * without a manifest, perhaps without a single file; prune removes it once untouched for the grace
 * period (`--incomplete-grace-hours`, 1 by default) and keeps one that may still be written.
 */
import { mkdirSync, mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listBackups } from '../../../backup/dump/inventory.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';

/** An incomplete backup folder (no manifest) last touched `hoursAgo` hours ago; `withFile` adds a chunk. */
function incomplete(parent: string, name: string, hoursAgo: number, withFile: boolean): void {
  const dir = join(parent, name);
  mkdirSync(join(dir, 'chunks'), { recursive: true });
  const when = new Date(Date.now() - hoursAgo * 3_600_000);
  if (withFile) {
    writeFileSync(join(dir, 'chunks', '0000-00000.tsv.gz'), 'x');
    utimesSync(join(dir, 'chunks', '0000-00000.tsv.gz'), when, when);
  }
  utimesSync(join(dir, 'chunks'), when, when);
  utimesSync(dir, when, when);
}

describe('backup prune and incomplete backups', () => {
  it('dates an incomplete backup without files by its folder, not by "now"', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'dp-prune-'));
    incomplete(parent, 'dualpipe-20260101T000000Z', 3, false);
    const [b] = await listBackups(parent);
    expect(b!.complete).toBe(false);
    expect(Date.now() - b!.at.getTime()).toBeGreaterThan(2.9 * 3_600_000);
  });

  it('removes incomplete backups older than the grace period (1 hour by default), keeps younger ones', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'dp-prune-'));
    incomplete(parent, 'dualpipe-20260101T000000Z', 2, false);
    incomplete(parent, 'dualpipe-20260101T010000Z', 2, true);
    incomplete(parent, 'dualpipe-20260101T020000Z.partial', 3, true);
    incomplete(parent, 'dualpipe-20260101T030000Z', 0.25, true);
    const dry = await runCliCapture(['backup', 'prune', '--in', parent, '--keep-last', '1', '--dry-run']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout.match(/would delete/g)).toHaveLength(3);
    expect(readdirSync(parent)).toHaveLength(4);

    const longer = await runCliCapture(['backup', 'prune', '--in', parent, '--keep-last', '1', '--incomplete-grace-hours', '4']);
    expect(longer.code, longer.stderr).toBe(0);
    expect(readdirSync(parent)).toHaveLength(4);

    const r = await runCliCapture(['backup', 'prune', '--in', parent, '--keep-last', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/deleted dualpipe-20260101T000000Z \(incomplete/);
    expect(readdirSync(parent)).toEqual(['dualpipe-20260101T030000Z']);
  });
});
