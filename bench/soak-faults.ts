/**
 * The faults of the soak (bench/soak.ts): a server of its own that can be frozen (SIGSTOP), thawed,
 * killed (SIGKILL) and started again on the same data directory and port, and a small backup disk
 * (a tmpfs mounted as root) that can be filled to the last byte and emptied again.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmbeddedServer, stopEmbeddedServer } from '../src/server/embedded-server.js';
import type { ServerFlavor } from '../src/server/server-plan.js';
import { isServerProcess, readState } from '../src/server/server-state.js';

/** A server the soak may freeze and kill. */
export interface SoakServer {
  readonly dir: string;
  readonly port: number;
  readonly version: string;
  freeze(): void;
  thaw(): void;
  /** SIGKILL, and wait until the process is gone. */
  kill(): Promise<void>;
  /** Starts it again on the same data directory and port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a throwaway server of `flavor` on loopback; MySQL with GTIDs on. */
export async function startSoakServer(flavor: ServerFlavor): Promise<SoakServer> {
  const dir = mkdtempSync(join(tmpdir(), 'dualpipe-soak-'));
  const options = {
    dir,
    server: flavor,
    ...(process.env.DUALPIPE_SERVER_BINARY ? { binary: process.env.DUALPIPE_SERVER_BINARY } : {}),
    extraArgs: flavor === 'mysql' ? ['--gtid-mode=ON', '--enforce-gtid-consistency=ON'] : [],
  };
  const first = await startEmbeddedServer({ ...options, install: true });
  const pid = () => {
    const state = readState(dir);
    if (!state) throw new Error(`no running server in ${dir}`);
    return state.pid;
  };
  let frozen: number | undefined;
  const thaw = () => {
    if (frozen !== undefined) process.kill(frozen, 'SIGCONT');
    frozen = undefined;
  };
  return {
    dir,
    port: first.port,
    version: first.version ?? '',
    freeze() {
      frozen = pid();
      process.kill(frozen, 'SIGSTOP');
    },
    thaw,
    async kill() {
      const p = pid();
      process.kill(p, 'SIGKILL');
      for (let i = 0; isServerProcess(p, first.dataDir); i++) {
        if (i > 400) throw new Error(`server pid ${p} survived SIGKILL`);
        await sleep(25);
      }
    },
    async restart() {
      await startEmbeddedServer({ ...options, port: first.port });
    },
    async stop() {
      thaw();
      await stopEmbeddedServer({ dir }).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The backup disk: a small tmpfs, or a plain folder (and `why`) where the machine cannot mount. */
export interface SoakDisk {
  readonly path: string;
  readonly mounted: boolean;
  readonly why?: string;
  /** Writes zeros until the disk is full (ENOSPC). */
  fill(): void;
  /** Removes the filler. */
  empty(): void;
  unmount(): void;
}

/** Mounts a tmpfs of `megabytes` at a new folder under `parent` (needs root). */
export function mountSoakDisk(parent: string, megabytes: number): SoakDisk {
  const path = join(parent, 'backup-disk');
  mkdirSync(path, { recursive: true });
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m`, 'tmpfs', path], { encoding: 'utf8' });
  const mounted = m.status === 0;
  const filler = join(path, 'filler');
  return {
    path,
    mounted,
    ...(mounted ? {} : { why: `cannot mount a tmpfs here (${(m.stderr || m.error?.message || '').trim()}): the disk-full fault is not injected` }),
    fill() {
      if (mounted) spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1M'], { stdio: 'ignore' });
    },
    empty() {
      rmSync(filler, { force: true });
    },
    unmount() {
      if (mounted) spawnSync('umount', ['-l', path]);
    },
  };
}
