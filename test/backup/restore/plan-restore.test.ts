/** The restore planner, without a server: schema names, DDL split, load steps, the RENAME, and every refusal. */
import { describe, expect, it } from 'vitest';
import type { TargetState } from '../../../backup/restore/check-target-fit.js';
import { describeRestorePlan } from '../../../backup/restore/describe-restore-plan.js';
import { derivedSchemaName, planRestore, restoreSchemas, splitTableDdl } from '../../../backup/restore/plan-restore.js';
import { BackupError, UsageError } from '../../../src/errors.js';
import type { ErrorClass } from '../../../src/exit-codes.js';
import { defaultTables, ITEMS, manifest, USERS } from '../../helpers/restore-manifest-fixture.js';

const empty: TargetState = { exists: false, tables: {}, migrations: null, incomingForeignKeys: [] };

function live(extra: Partial<TargetState> = {}): TargetState {
  return {
    exists: true,
    tables: {
      users: { type: 'BASE TABLE', columns: ['id', 'email', 'name'], triggers: [] },
    },
    migrations: ['0001_a', '0002_b'],
    incomingForeignKeys: [],
    ...extra,
  };
}

const plan = (state: TargetState, m = manifest()) => planRestore({ manifest: m, backupDir: '/b', target: 'crm', targetState: state });

/** The message of the refusal `fn` throws: a UsageError (does not fit), or a BackupError (damaged) when named. */
function refusal(fn: () => unknown, kind: ErrorClass = UsageError): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(kind);
    return (error as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('schema names', () => {
  it('derives staging, previous and scratch names, shortened with a hash beyond 64 characters', () => {
    expect(restoreSchemas('crm')).toEqual({
      target: 'crm',
      staging: 'crm__dp_restore',
      previous: 'crm__dp_previous',
      scratch: 'crm__dp_rollback',
    });
    const a = derivedSchemaName('x'.repeat(60), '__dp_previous');
    const b = derivedSchemaName(`${'x'.repeat(59)}y`, '__dp_previous');
    expect(a).toHaveLength(64);
    expect(a.endsWith('__dp_previous')).toBe(true);
    expect(a).not.toBe(b);
  });
});

describe('splitTableDdl', () => {
  it('moves secondary keys and foreign keys, in order, into ALTERs (keys, then foreign keys); keeps FULLTEXT and generated columns', () => {
    const d = splitTableDdl('items', ITEMS, { defer: true });
    expect(d.columns).toEqual(['id', 'owner_id', 'qty', 'price', 'note']);
    expect(d.createSql).toContain('PRIMARY KEY (`id`),\n  FULLTEXT KEY `ft_items_note` (`note`)\n) ENGINE=InnoDB');
    expect(d.createSql).not.toContain('ix_items_owner_id');
    expect(d.createSql).not.toContain('FOREIGN KEY');
    // Keys first, then foreign keys, in two statements (the MariaDB crash of seed 9510).
    expect(d.alterSqls).toEqual([
      'ALTER TABLE `items` ADD KEY `ix_items_owner_id` (`owner_id`)',
      'ALTER TABLE `items` ADD CONSTRAINT `fk_items_owner_id` FOREIGN KEY (`owner_id`) REFERENCES `users` (`id`) ON DELETE SET NULL',
    ]);
    expect(d.deferred).toEqual(['ix_items_owner_id', 'fk_items_owner_id']);
    expect(d.foreignKeys).toEqual([{ name: 'fk_items_owner_id', columns: ['owner_id'], refTable: 'users', refColumns: ['id'] }]);
    const u = splitTableDdl('users', USERS, { defer: true });
    expect(u.alterSqls).toEqual(['ALTER TABLE `users` ADD UNIQUE KEY `uq_users_email` (`email`), ADD KEY `ix_users_name` (`name`)']);
  });

  it('keeps everything at CREATE when asked, without a primary key, or when a key serves AUTO_INCREMENT or a reference', () => {
    expect(splitTableDdl('items', ITEMS, { defer: false })).toMatchObject({ createSql: ITEMS, alterSqls: [] });
    const noPk = ITEMS.replace('  PRIMARY KEY (`id`),\n', '').replace(' AUTO_INCREMENT', '');
    expect(splitTableDdl('items', noPk, { defer: true }).alterSqls).toEqual([]);
    const autoInc = USERS.replace('PRIMARY KEY (`id`)', 'PRIMARY KEY (`email`,`id`)');
    expect(splitTableDdl('users', autoInc, { defer: true }).alterSqls).toEqual([]);
    expect(splitTableDdl('users', USERS, { defer: true, referenced: [['email']] }).alterSqls).toEqual([]);
    expect(splitTableDdl('users', USERS, { defer: true, referenced: [['id']] }).alterSqls).toHaveLength(1);
  });

  it('reads multi-column foreign keys', () => {
    const ddl = ITEMS.replace(
      'FOREIGN KEY (`owner_id`) REFERENCES `users` (`id`)',
      'FOREIGN KEY (`owner_id`, `qty`) REFERENCES `users` (`id`, `n`)',
    );
    expect(splitTableDdl('items', ddl, { defer: false }).foreignKeys[0]).toMatchObject({ columns: ['owner_id', 'qty'], refColumns: ['id', 'n'] });
  });

  it('refuses DDL that would write outside the staging schema or is not a plain InnoDB table', () => {
    expect(refusal(() => splitTableDdl('users', USERS.replace('`users` (', '`crm`.`users` (') , { defer: true }), BackupError)).toMatch(
      /table users: the DDL does not start with CREATE TABLE `users`/,
    );
    expect(refusal(() => splitTableDdl('other', USERS, { defer: true }), BackupError)).toMatch(/table other/);
    expect(refusal(() => splitTableDdl('users', `${USERS} SELECT * FROM mysql.user`, { defer: true }), BackupError)).toMatch(/not a plain InnoDB/);
    expect(refusal(() => splitTableDdl('users', USERS.replace('ENGINE=InnoDB', 'ENGINE=MyISAM'), { defer: true }), BackupError)).toMatch(/not a plain InnoDB/);
    expect(
      refusal(() => splitTableDdl('items', ITEMS.replace('REFERENCES `users`', 'REFERENCES `crm`.`users`'), { defer: true }), BackupError),
    ).toMatch(/fk_items_owner_id references another schema/);
  });
});

describe('planRestore', () => {
  it('plans staging, loads largest first, skips reports, and one RENAME swapping live tables out', () => {
    const p = plan(live());
    expect(p.tables.map((t) => t.name)).toEqual(['items', 'users']);
    expect(p.skipped).toEqual([{ table: 'rpt_x', reason: expect.stringContaining('report table') }]);
    expect(p.replaced).toEqual(['users']);
    expect(p.tables[0]!.loads[0]!.sql).toContain('INTO TABLE `crm__dp_restore`.`items`');
    expect(p.tables[0]!.manifestColumns).toEqual(['id', 'owner_id', 'qty', 'price', 'note']);
    expect(p.renameSql).toBe(
      'RENAME TABLE `crm`.`users` TO `crm__dp_previous`.`users`, `crm__dp_restore`.`items` TO `crm`.`items`, ' +
        '`crm__dp_restore`.`users` TO `crm`.`users`, `crm__dp_restore`.`__dp_restore_info` TO `crm__dp_previous`.`__dp_restore_info`',
    );
    expect(p.totals).toEqual({ tables: 2, rows: 6, bytes: 300, chunks: 2 });
    expect(p.keepsWindow).toBe(true);
    const text = describeRestorePlan(p);
    expect(text).toContain('CREATE DATABASE `crm__dp_previous`;');
    expect(text).toContain("LOAD DATA LOCAL INFILE 'chunks/");
    expect(text).toContain(p.renameSql);
    expect(text.indexOf('DROP DATABASE IF EXISTS `crm__dp_restore`')).toBeLessThan(text.indexOf('RENAME TABLE'));
  });

  it('into a schema that does not exist: nothing replaced, the target is created', () => {
    const p = plan(empty);
    expect(p.replaced).toEqual([]);
    expect(describeRestorePlan(p)).toContain('CREATE DATABASE `crm`;');
    // Nothing to roll back to: no previous schema, and the info table is not moved into one.
    expect(p.keepsWindow).toBe(false);
    expect(p.renameSql).not.toContain('__dp_previous');
    expect(describeRestorePlan(p)).not.toContain('CREATE DATABASE `crm__dp_previous`');
  });

  it('refuses a backup of another schema version', () => {
    const msg = refusal(() => plan(live({ migrations: ['0001_a', '0002_b', '0003_c'] })));
    expect(msg).toMatch(/backup of another schema version/);
    expect(msg).toContain('only in crm: 0003_c');
  });

  it('refuses columns that do not fit, naming the table', () => {
    const state = live();
    state.tables.users!.columns = ['id', 'email', 'full_name'];
    expect(refusal(() => plan(state))).toMatch(/table users: the backup's columns \(id, email, name\) do not fit crm\.users \(id, email, full_name\)/);
  });

  it('refuses views, triggers and foreign keys from outside that a swap would break', () => {
    const view = live();
    view.tables.users!.type = 'VIEW';
    expect(refusal(() => plan(view))).toMatch(/crm\.users is a view/);
    const trig = live();
    trig.tables.users!.triggers = ['tr_users'];
    expect(refusal(() => plan(trig))).toMatch(/trigger\(s\) tr_users/);
    expect(refusal(() => plan(live({ incomingForeignKeys: [{ from: 'crm.audit', name: 'fk_audit_user', to: 'users' }] })))).toMatch(
      /crm\.audit has foreign key fk_audit_user referencing crm\.users/,
    );
  });

  it('refuses a manifest whose DDL and column list disagree, or whose keys point outside the backup', () => {
    const tables = defaultTables();
    tables[0]!.columns.pop();
    expect(refusal(() => plan(empty, manifest(tables)), BackupError)).toMatch(/table users: the DDL's columns \(id, email, name\) differ/);
    expect(refusal(() => plan(empty, manifest(defaultTables().filter((t) => t.name !== 'users'))))).toMatch(
      /foreign key fk_items_owner_id references users, which is not in the backup/,
    );
  });

  it('plans the orphan check of every restored foreign key, against the live parent when --tables leaves it out', () => {
    const whole = plan(live());
    expect(whole.foreignKeyChecks).toEqual([
      { table: 'items', name: 'fk_items_owner_id', columns: ['owner_id'], refTable: 'users', refColumns: ['id'], refSchema: 'crm__dp_restore' },
    ]);
    const partial = planRestore({
      manifest: manifest(),
      backupDir: '/b',
      target: 'crm',
      targetState: live({ tables: {}, liveTables: ['users'] }),
      only: ['items'],
    });
    expect(partial.liveParents).toEqual(['users']);
    expect(partial.foreignKeyChecks).toEqual([
      { table: 'items', name: 'fk_items_owner_id', columns: ['owner_id'], refTable: 'users', refColumns: ['id'], refSchema: 'crm' },
    ]);
    expect(partial.skipped.map((x) => x.table)).toEqual(['rpt_x', 'users']);
  });

  it('refuses --tables that leave out a child of a replaced table, or a parent that is not live', () => {
    const children = live({ incomingForeignKeys: [{ from: 'crm.items', name: 'fk_items_owner_id', to: 'users' }] });
    const msg = refusal(() => planRestore({ manifest: manifest(), backupDir: '/b', target: 'crm', targetState: children, only: ['users'] }));
    expect(msg).toBe('--tables: users is referenced by items, which is not restored: their rows would point at the replaced tables');
    expect(refusal(() => planRestore({ manifest: manifest(), backupDir: '/b', target: 'crm', targetState: empty, only: ['items'] }))).toBe(
      '--tables: items references users, which is neither restored nor a table of crm',
    );
    expect(refusal(() => planRestore({ manifest: manifest(), backupDir: '/b', target: 'crm', targetState: empty, only: ['nope'] }))).toMatch(
      /^--tables: nope is not in the backup manifest\.json/,
    );
  });
});
