import { describe, expect, it } from 'vitest';
import { KeySets, afterKeyOf, keyOf } from '../../../../sync/capture/binlog/binlog-key-set.js';

describe('KeySets', () => {
  it('keeps each key once per table, numbers and tuples alike, and merge empties the source', () => {
    const keys = new KeySets();
    const txn = new KeySets();
    keys.add('a', [1]);
    txn.add('a', [1]);
    txn.add('a', ['1']);
    txn.add('a', [2]);
    txn.add('b', [1, 'x']);
    txn.add('b', [1, 'x']);
    txn.add('c', [Buffer.from([0, 255])]);
    keys.merge(txn);
    expect(txn.size).toBe(0);
    expect(keys.size).toBe(5);
    const map = keys.toMap();
    expect(map.get('a')).toEqual([[1], [2], ['1']]);
    expect(map.get('b')).toEqual([[1, 'x']]);
    expect(map.get('c')).toEqual([[Buffer.from([0, 255])]]);
  });

  it('takes an update key from the before image, and a changed key part from the after image (MINIMAL images)', () => {
    const before = { a: 1, b: 'x', v: 3 };
    expect(keyOf(before, ['a', 'b'])).toEqual([1, 'x']);
    expect(afterKeyOf(before, { a: null, b: null, v: 4 }, ['a', 'b'])).toEqual([1, 'x']);
    expect(afterKeyOf(before, { a: 2, b: null, v: null }, ['a', 'b'])).toEqual([2, 'x']);
  });
});
