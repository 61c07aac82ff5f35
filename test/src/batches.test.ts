import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batches } from '../../src/batches.js';

describe('batches', () => {
  it('slices in order, every slice but the last full, nothing lost or repeated', () => {
    fc.assert(
      fc.property(fc.array(fc.integer()), fc.integer({ min: 1, max: 20 }), (items, size) => {
        const out = batches(items, size);
        expect(out.flat()).toEqual(items);
        out.slice(0, -1).forEach((b) => expect(b).toHaveLength(size));
        if (out.length > 0) expect(out.at(-1)!.length).toBeGreaterThan(0);
        expect(out).toHaveLength(Math.ceil(items.length / size));
      }),
    );
  });
});
