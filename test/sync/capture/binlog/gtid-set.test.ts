/**
 * GTID set membership against a naive oracle: generated sets (sources, tags, intervals printed as
 * MySQL prints them, with its newlines) and transactions; the parser must agree with a plain list
 * of (source, tag, number) triples built from the same choices.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gtidSetHas, parseGtidSet } from '../../../../sync/capture/binlog/gtid-set.js';

const UUIDS = ['3e11fa47-71ca-11e1-9e33-c80aa9429562', 'a1689b8d-ed8a-11f1-bfa6-02fc00000001'];
const member = fc.record({
  uuid: fc.constantFrom(...UUIDS),
  tag: fc.constantFrom('', 'bulk', 'Etl_2'),
  ranges: fc.array(fc.tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 5 })), { minLength: 1, maxLength: 3 }),
});

describe('gtid-set', () => {
  it('holds exactly the transactions of the intervals it prints (generated sets)', () => {
    fc.assert(
      fc.property(fc.array(member, { maxLength: 4 }), fc.constantFrom(...UUIDS), fc.constantFrom('', 'bulk', 'etl_2'), fc.integer({ min: 1, max: 70 }), (members, uuid, tag, gno) => {
        const text = members.map((m) => [m.uuid.toUpperCase(), ...(m.tag ? [m.tag] : []), ...m.ranges.map(([a, d]) => (d ? `${a}-${a + d}` : `${a}`))].join(':')).join(',\n');
        const expected = members.some((m) => m.uuid === uuid && m.tag.toLowerCase() === tag && m.ranges.some(([a, d]) => gno >= a && gno <= a + d));
        expect(gtidSetHas(parseGtidSet(text), uuid, tag, gno)).toBe(expected);
      }),
    );
  });

  it('reads the empty set, and refuses text that is no GTID set', () => {
    expect(parseGtidSet('').size).toBe(0);
    expect(gtidSetHas(parseGtidSet(''), UUIDS[0]!, '', 1)).toBe(false);
    expect(() => parseGtidSet('0-1-5')).toThrow(/not a GTID set/);
    expect(() => parseGtidSet(`${UUIDS[0]}:1-x`)).toThrow(/not a GTID set/);
  });
});
