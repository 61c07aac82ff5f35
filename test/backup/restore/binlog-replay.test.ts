import { describe, expect, it } from 'vitest';
import { binlogReplayCommand } from '../../../backup/restore/binlog-replay.js';

describe('binlogReplayCommand', () => {
  it('MariaDB: mariadb-binlog from the snapshot position, source schema only, placeholders for what the DBA picks', () => {
    expect(binlogReplayCommand({ flavor: 'mariadb', start: { file: 'binlog.000003', position: 1234, gtid: '0-1-42' }, schema: 'crm' })).toBe(
      'mariadb-binlog --database=crm --start-position=1234 --stop-position=<stop> binlog.000003 <later binlog files…> | mariadb -u root',
    );
  });

  it('MySQL with GTIDs: --skip-gtids (else the recovered server skips every replayed transaction) and leaves out the snapshot set', () => {
    const gtid = '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-57';
    const cmd = binlogReplayCommand({
      flavor: 'mysql',
      start: { file: 'binlog.000001', position: 4, gtid },
      schema: 'crm',
      stopPosition: 9000,
      files: ['/d/binlog.000001', '/d/binlog.000002'],
      clientArgs: '-h127.0.0.1 -P3306 -uroot',
    });
    expect(cmd).toBe(
      `mysqlbinlog --skip-gtids --exclude-gtids='${gtid}' --database=crm --start-position=4 --stop-position=9000 /d/binlog.000001 /d/binlog.000002 | mysql -h127.0.0.1 -P3306 -uroot`,
    );
  });
});
