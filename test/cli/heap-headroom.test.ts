import { describe, expect, it } from 'vitest';
import { heapHeadroomFlag } from '../../cli/heap-headroom.js';

describe('heapHeadroomFlag', () => {
  it('asks V8 to grow the heap 4x after a full collection', () => {
    expect(heapHeadroomFlag('', [])).toBe('--heap-growing-percent=300');
    expect(heapHeadroomFlag('--max-old-space-size=512', ['--enable-source-maps'])).toBe('--heap-growing-percent=300');
  });

  it("leaves a user's own choice alone, in NODE_OPTIONS or node's arguments, in either spelling", () => {
    expect(heapHeadroomFlag('--heap-growing-percent=50', [])).toBeUndefined();
    expect(heapHeadroomFlag('', ['--heap_growing_percent=20'])).toBeUndefined();
  });
});
