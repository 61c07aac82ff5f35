/** The session scheduler of a restore, without a server: groups never overlap, urgent work goes first, a failure stops it. */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runOnSessions, type Task } from '../../../backup/restore/load-chunk.js';
import type { SqlConnection } from '../../../src/db/connection.js';

const sessions = (n: number) => Array.from({ length: n }, (_, i) => ({ threadId: i }) as unknown as SqlConnection);

describe('runOnSessions', () => {
  it('runs every task, never two of one group at once, and uses the sessions in parallel', async () => {
    const running = new Map<string, number>();
    let parallel = 0;
    let maxParallel = 0;
    const done: string[] = [];
    const task = (group: string, i: number) => ({
      group,
      run: async () => {
        running.set(group, (running.get(group) ?? 0) + 1);
        parallel++;
        maxParallel = Math.max(maxParallel, parallel);
        expect(running.get(group)).toBe(1);
        await sleep(5 + (i % 3));
        running.set(group, running.get(group)! - 1);
        parallel--;
        done.push(`${group}${i}`);
      },
    });
    const tasks = [...[0, 1, 2, 3, 4].map((i) => task('a', i)), ...[0, 1].map((i) => task('b', i)), task('c', 0)];
    await runOnSessions(sessions(3), tasks).done;
    expect(done.sort()).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'c0']);
    expect(done.filter((d) => d.startsWith('a'))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(maxParallel).toBe(3);
  });

  it('runs urgent work pushed by a task before the remaining queue', async () => {
    const order: string[] = [];
    const step = (name: string): Task => async () => {
      order.push(name);
      await sleep(1);
    };
    const runner = runOnSessions(sessions(1), [
      () => {
        order.push('first');
        runner.pushUrgent(step('urgent'));
        return Promise.resolve();
      },
      step('second'),
    ]);
    await runner.done;
    expect(order).toEqual(['first', 'urgent', 'second']);
  });

  it('stops handing out tasks after a failure and throws it', async () => {
    let ran = 0;
    const tasks: Task[] = [
      () => Promise.reject(new Error('chunk failed')),
      ...Array.from({ length: 5 }, () => async () => {
        ran++;
        await sleep(2);
      }),
    ];
    await expect(runOnSessions(sessions(1), tasks).done).rejects.toThrow('chunk failed');
    expect(ran).toBe(0);
  });
});
