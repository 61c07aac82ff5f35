import { describe, expect, it } from 'vitest';
import { chooseChunkScheme, chunkCondition, diffChunks } from '../../../src/rows/chunk-sql.js';
import { selectTables } from '../../../src/catalog/discover-tables.js';
import { isFunctionalKey, mirrorDdl } from '../../../sync/full/mirror-ddl.js';
import { describePlan, planSync } from '../../../sync/full/plan-sync.js';
import { parseReportDefinition } from '../../../sync/reports/report-definitions.js';
import type { TableMeta } from '../../../src/catalog/table-meta.js';
import { tempName } from '../../../src/catalog/temp-names.js';

const contactsDdl = `CREATE TABLE \`contacts\` (
  \`id\` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  \`organization_id\` bigint(20) unsigned DEFAULT NULL,
  \`email\` varchar(191) NOT NULL,
  \`full\` varchar(200) GENERATED ALWAYS AS (concat(\`email\`,'x')) STORED,
  PRIMARY KEY (\`id\`),
  UNIQUE KEY \`contacts_email_unique\` (\`email\`),
  KEY \`contacts_organization_id_index\` (\`organization_id\`),
  CONSTRAINT \`contacts_organization_id_foreign\` FOREIGN KEY (\`organization_id\`) REFERENCES \`organizations\` (\`id\`) ON DELETE SET NULL
) ENGINE=InnoDB AUTO_INCREMENT=1001 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci ROW_FORMAT=DYNAMIC`;

const contacts: TableMeta = {
  name: 'contacts',
  engine: 'InnoDB',
  columns: [
    { name: 'id', dataType: 'bigint', columnType: 'bigint(20) unsigned', nullable: false, generated: false },
    {
      name: 'organization_id',
      dataType: 'bigint',
      columnType: 'bigint(20) unsigned',
      nullable: true,
      generated: false,
    },
    { name: 'email', dataType: 'varchar', columnType: 'varchar(191)', nullable: false, generated: false },
    { name: 'full', dataType: 'varchar', columnType: 'varchar(200)', nullable: true, generated: true },
  ],
  primaryKey: ['id'],
  estimatedRows: 1000,
  dataBytes: 65536,
};

describe('mirrorDdl', () => {
  it('leaves out MySQL functional indexes and indexes over VIRTUAL columns (MySQL\'s MyISAM refuses an index on a virtual column) and keeps the others', () => {
    const show = [
      'CREATE TABLE `fx` (',
      '  `id` int NOT NULL,',
      '  `s` varchar(10) NOT NULL,',
      '  `(a,(b` int DEFAULT NULL,',
      '  `v` varchar(10) GENERATED ALWAYS AS (lower(`s`)) VIRTUAL,',
      '  `st` varchar(10) GENERATED ALWAYS AS (lower(`s`)) STORED,',
      '  PRIMARY KEY (`id`),',
      '  KEY `fx` ((lower(`s`)),((cast(json_extract(`j`,_utf8mb4\'$.a\') as char(20) charset utf8mb4) collate utf8mb4_bin))),',
      '  UNIQUE KEY `mixed` (`s`,(abs(`id`))),',
      '  KEY `odd name ((x` (`(a,(b`),',
      '  KEY `pre` (`s`(3)),',
      '  KEY `on_virtual` (`id`,`v`),',
      '  KEY `on_stored` (`st`)',
      ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
    ].join('\n');
    const ddl = mirrorDdl(show, 'r', 'm');
    expect(ddl).not.toMatch(/KEY `fx`|KEY `mixed`|KEY `on_virtual`/);
    expect(ddl).toContain('KEY `on_stored` (`st`)');
    expect(ddl).toContain('`v` varchar(10) GENERATED ALWAYS AS (lower(`s`)) VIRTUAL');
    expect(ddl).toContain('KEY `odd name ((x` (`(a,(b`)');
    expect(ddl).toContain('KEY `pre` (`s`(3))');
    expect(isFunctionalKey('  KEY `k` (`a`,`b`)')).toBe(false);
  });

  it('drops foreign keys and InnoDB options, keeps keys and generated columns', () => {
    const ddl = mirrorDdl(contactsDdl, 'crm_report', '__dp_new_contacts');
    expect(ddl).toMatch(/^CREATE TABLE `crm_report`.`__dp_new_contacts` \(/);
    expect(ddl).not.toMatch(/FOREIGN KEY/);
    expect(ddl).toMatch(/ENGINE=MyISAM/);
    expect(ddl).not.toMatch(/InnoDB|AUTO_INCREMENT=|ROW_FORMAT/);
    expect(ddl).toMatch(/UNIQUE KEY `contacts_email_unique`/);
    expect(ddl).toMatch(/GENERATED ALWAYS AS/);
    // The line before the removed constraint must not keep a dangling comma.
    expect(ddl).toMatch(/KEY `contacts_organization_id_index` \(`organization_id`\)\n\) ENGINE/);
  });
});

describe('planSync', () => {
  const report = parseReportDefinition(
    'rpt_by_org.sql',
    '-- Contacts per org\nCREATE TABLE {{target}} (org BIGINT) ENGINE=MyISAM;\nINSERT INTO {{target}} SELECT organization_id FROM {{contacts}};\n',
  );
  const orphan = parseReportDefinition(
    'rpt_orphan.sql',
    'CREATE TABLE {{target}} AS SELECT * FROM {{missing_table}};',
  );

  it('copies only writable columns and swaps everything in one RENAME', () => {
    const plan = planSync({
      sourceSchema: 'crm',
      reportSchema: 'crm_report',
      strategy: 'swap',
      sameServer: true,
      tables: [{ meta: contacts, showCreate: contactsDdl }],
      reports: [report, orphan],
      existingReportTables: ['contacts'],
    });
    const t = plan.tables[0]!;
    expect(t.copySql).toBe(
      'INSERT INTO `crm_report`.`__dp_new_contacts` (`id`, `organization_id`, `email`) SELECT `id`, `organization_id`, `email` FROM `crm`.`contacts`',
    );
    expect(plan.reports[0]!.statements[1]).toBe(
      'INSERT INTO `crm_report`.`__dp_new_rpt_by_org` SELECT organization_id FROM `crm_report`.`__dp_new_contacts`',
    );
    expect(plan.skippedReports).toEqual([{ name: 'rpt_orphan', missing: ['missing_table'] }]);
    expect(plan.publishSql).toEqual([
      'RENAME TABLE `crm_report`.`contacts` TO `crm_report`.`__dp_old_contacts`, `crm_report`.`__dp_new_contacts` TO `crm_report`.`contacts`, `crm_report`.`__dp_new_rpt_by_org` TO `crm_report`.`rpt_by_org`',
    ]);
    expect(plan.dropSql).toEqual(['DROP TABLE IF EXISTS `crm_report`.`__dp_old_contacts`']);
    expect(describePlan(plan)).toContain('START TRANSACTION WITH CONSISTENT SNAPSHOT');
  });

  it('lock strategy refills existing tables under LOCK TABLES and renames new ones into place', () => {
    const plan = planSync({
      sourceSchema: 'crm',
      reportSchema: 'r',
      strategy: 'lock',
      sameServer: false,
      tables: [{ meta: contacts, showCreate: contactsDdl }],
      reports: [report],
      existingReportTables: ['contacts'],
    });
    expect(plan.tables[0]!.copySql).toBeUndefined();
    expect(plan.mode).toBe('streamed');
    expect(plan.publishSql[0]).toBe('RENAME TABLE `r`.`__dp_new_rpt_by_org` TO `r`.`rpt_by_org`');
    expect(plan.publishSql[1]).toBe('LOCK TABLES `r`.`contacts` WRITE, `r`.`__dp_new_contacts` READ');
    expect(plan.publishSql).toContain('DELETE FROM `r`.`contacts`');
    expect(plan.publishSql.at(-1)).toBe('UNLOCK TABLES');
  });

  it('notes tables without a primary key', () => {
    const heap = { ...contacts, name: 'heap', primaryKey: [] };
    const plan = planSync({
      sourceSchema: 'a',
      reportSchema: 'b',
      strategy: 'swap',
      sameServer: true,
      tables: [{ meta: heap, showCreate: contactsDdl.replace('`contacts`', '`heap`') }],
      reports: [],
      existingReportTables: [],
    });
    expect(plan.notes.join(' ')).toMatch(/heap has no primary key/);
  });
});

describe('chunks', () => {
  it('uses integer ranges for integer keys and hashes otherwise', () => {
    expect(chooseChunkScheme(contacts, 100, { min: 1n, max: 1000n })).toEqual({
      kind: 'int-range',
      column: 'id',
      width: 100,
    });
    const sparse = chooseChunkScheme(contacts, 100, { min: 1n, max: 1_000_000n });
    expect(sparse).toEqual({ kind: 'int-range', column: 'id', width: 100_000 });
    const str = { ...contacts, primaryKey: ['email'] };
    expect(chooseChunkScheme(str, 100).kind).toBe('hash');
    expect(chooseChunkScheme({ ...contacts, primaryKey: [] }, 100).kind).toBe('whole');
  });

  it('merges adjacent chunks into one range', () => {
    const scheme = { kind: 'int-range', column: 'id', width: 10 } as const;
    expect(chunkCondition(scheme, contacts, [3n, 1n, 2n, 7n])).toBe(
      '(`id` >= 10 AND `id` < 40) OR (`id` >= 70 AND `id` < 80)',
    );
    expect(chunkCondition(scheme, contacts, [-1n])).toBe('(`id` >= -10 AND `id` < 0)');
    expect(chunkCondition(scheme, contacts, [])).toBe('1=0');
  });

  it('finds chunks that differ or exist on one side only', () => {
    const a = new Map([
      ['0', { rows: 10, hash: '1' }],
      ['1', { rows: 10, hash: '2' }],
      ['2', { rows: 5, hash: '3' }],
    ]);
    const b = new Map([
      ['0', { rows: 10, hash: '1' }],
      ['1', { rows: 10, hash: '9' }],
      ['3', { rows: 1, hash: '4' }],
    ]);
    expect(diffChunks(a, b).sort()).toEqual([1n, 2n, 3n]);
    expect(diffChunks(a, a)).toEqual([]);
  });
});

describe('selectTables and temp names', () => {
  it('applies include and exclude patterns', () => {
    const all = ['contacts', 'contact_tags', 'users', 'dualpipe_migrations', 'dualpipe_migrations_lock'];
    expect(selectTables(all, {})).toEqual(all);
    expect(selectTables(all, { include: ['contact*'] })).toEqual(['contacts', 'contact_tags']);
    expect(selectTables(all, { exclude: ['contact_tags', 'dualpipe_*'] })).toEqual(['contacts', 'users']);
  });

  it('keeps temporary names within 64 characters and distinct', () => {
    const long1 = 'a'.repeat(60) + 'x1';
    const long2 = 'a'.repeat(60) + 'x2';
    expect(tempName('new', long1).length).toBeLessThanOrEqual(64);
    expect(tempName('new', long1)).not.toBe(tempName('new', long2));
    expect(tempName('old', 'contacts')).toBe('__dp_old_contacts');
  });
});
