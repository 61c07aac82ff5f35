/**
 * Backup folder names have one-second resolution: a backup run again within the same second (one
 * killed as it started, then run again) must get a folder of its own, not fail with EEXIST. Found
 * by the SIGKILL test in test/src/guard/stall-sigstop.test.ts when the machine was quick.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFreshFolder } from '../../../backup/dump/backup-target.js';

describe('createFreshFolder', () => {
  it('takes the next free suffix when the name exists, which sorts after it, and reports each folder as soon as it exists', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'dp-fresh-'));
    const base = join(parent, 'dualpipe-20261130T233108Z');
    const made: string[] = [];
    const first = await createFreshFolder(base, (d) => made.push(d));
    await mkdir(`${base}-2`);
    const second = await createFreshFolder(base, (d) => made.push(d));
    expect(first).toBe(base);
    expect(second).toBe(`${base}-3`);
    expect(made).toEqual([base, `${base}-3`]);
    expect(existsSync(join(second, 'chunks'))).toBe(true);
    expect([second, first].sort((a, b) => a.localeCompare(b))).toEqual([first, second]);
  });

  it('fails on anything but an existing name (here: a missing parent)', async () => {
    const parent = join(mkdtempSync(join(tmpdir(), 'dp-fresh-')), 'missing');
    await expect(createFreshFolder(join(parent, 'dualpipe-x'), () => {})).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
