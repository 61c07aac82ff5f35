import { describe, expect, it } from 'vitest';
import { BinlogPositionError } from '../../../../sync/capture/binlog/binlog-errors.js';
import {
  compareBinlogPositions,
  parseBinlogPosition,
  serializeBinlogPosition,
} from '../../../../sync/capture/binlog/binlog-position.js';

describe('binlog positions', () => {
  it.each([
    { file: 'binlog.000001', offset: 4 },
    { file: 'binlog.000012', offset: 1234, gtid: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5:11,3e11fa47-71ca-11e1-9e33-c80aa9429563:1-27' },
    { file: 'mysql-bin.123456', offset: 2 ** 40, gtid: '0-1-1234,1-3-45' },
  ])('round-trips $file:$offset', (p) => {
    expect(parseBinlogPosition(serializeBinlogPosition(p))).toEqual(p);
  });

  it.each(['', 'binlog.000001:4', '{"file":"binlog","offset":4}', '{"file":"binlog.000001","offset":3}', '{"file":"binlog.000001","offset":"4"}', '{"file":"binlog.000001","offset":4,"gtid":5}', 'null'])(
    'refuses %j with a typed error',
    (text) => {
      expect(() => parseBinlogPosition(text)).toThrow(BinlogPositionError);
    },
  );

  it('orders by file sequence (not text: .999999 < .1000000), then offset', () => {
    expect(compareBinlogPositions({ file: 'b.999999', offset: 900 }, { file: 'b.1000000', offset: 4 })).toBeLessThan(0);
    expect(compareBinlogPositions({ file: 'b.000002', offset: 900 }, { file: 'b.000002', offset: 120 })).toBeGreaterThan(0);
    expect(compareBinlogPositions({ file: 'b.000002', offset: 120 }, { file: 'b.000002', offset: 120 })).toBe(0);
  });
});
