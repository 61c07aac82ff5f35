/**
 * `startEmbeddedServer` watches the server process it started: one that dies during start-up is
 * reported at once with the error log's tail, not after the 60 s wait (and a live one that is
 * reached through a wrapper script, as the fetched MySQL is, is not taken for a dead one).
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedServer } from '../../../src/server/embedded-server.js';

const dir = mkdtempSync(join(tmpdir(), 'dp-embedded-start-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('startEmbeddedServer', () => {
  it('reports a server that exits during start-up at once, with the end of its error log', async () => {
    // A MySQL-like binary: initialises a data directory, then dies on start with a log line.
    const fake = join(dir, 'mysqld');
    writeFileSync(
      fake,
      [
        '#!/bin/sh',
        'case "$*" in *--version*) echo "mysqld  Ver 9.7.4 for Linux"; exit 0;; esac',
        'for a in "$@"; do case "$a" in --datadir=*) d="${a#--datadir=}";; --log-error=*) l="${a#--log-error=}";; esac; done',
        'case "$*" in *--initialize-insecure*) mkdir -p "$d/mysql"; exit 0;; esac',
        'echo "[ERROR] fake server refuses to start" >> "$l"; exit 3',
        '',
      ].join('\n'),
    );
    chmodSync(fake, 0o755);
    const started = Date.now();
    await expect(startEmbeddedServer({ dir: join(dir, 'db'), binary: fake })).rejects.toThrow(
      /exited during start-up[\s\S]*fake server refuses to start/,
    );
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
