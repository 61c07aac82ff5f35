import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyId, parseKeyText, readBackupKey, writeNewKey } from '../../../backup/format/backup-key.js';
import { UsageError } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'dp-key-'));

describe('backup keys', () => {
  it('keygen writes a mode-600 key and never overwrites one', async () => {
    const file = join(dir, 'k1');
    const r = await writeNewKey(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = await readBackupKey(file);
    expect(key.id).toBe(r.id);
    expect(key.key).toHaveLength(32);
    await expect(writeNewKey(file)).rejects.toThrow(/already exists/);
    expect((await readBackupKey(file)).id).toBe(r.id);
  });

  it('reads hex and base64 of the same key to the same id, and refuses anything else', () => {
    const raw = Buffer.alloc(32, 7);
    expect(parseKeyText(`${raw.toString('hex')}\n`, 'f').id).toBe(keyId(raw));
    expect(parseKeyText(raw.toString('base64'), 'f').id).toBe(keyId(raw));
    expect(parseKeyText(raw.toString('base64url'), 'f').id).toBe(keyId(raw));
    for (const bad of ['', 'secret', raw.toString('hex').slice(2), Buffer.alloc(16).toString('base64'), `${raw.toString('hex')}00`]) {
      expect(() => parseKeyText(bad, 'kf')).toThrow(UsageError);
    }
    expect(() => parseKeyText('nope', 'kf')).toThrow(/key file kf: not a 256-bit key/);
  });

  it('warns about a key file its group or others can read, and never puts the key in a message', async () => {
    const file = join(dir, 'k2');
    await writeNewKey(file);
    const hex = readFileSync(file, 'utf8').trim();
    const warnings: string[] = [];
    await readBackupKey(file, (m) => warnings.push(m));
    expect(warnings).toEqual([]);
    chmodSync(file, 0o644);
    await readBackupKey(file, (m) => warnings.push(m));
    chmodSync(file, 0o640);
    await readBackupKey(file, (m) => warnings.push(m));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/readable by every account.*chmod 600/);
    expect(warnings[1]).toMatch(/readable by its group/);
    writeFileSync(join(dir, 'k3'), `${hex}x`);
    const err = await readBackupKey(join(dir, 'k3')).then(() => undefined, (e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String(err)).not.toContain(hex);
    await expect(readBackupKey(join(dir, 'missing'))).rejects.toThrow(/no such file/);
  });
});
