/** A small backup manifest (two InnoDB tables with a foreign key and a report) for planner tests without a server. */
import type { Manifest, ManifestTable } from '../../backup/format/manifest.js';

export const USERS = `CREATE TABLE \`users\` (
  \`id\` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  \`email\` varchar(191) NOT NULL,
  \`name\` varchar(100) NOT NULL,
  PRIMARY KEY (\`id\`),
  UNIQUE KEY \`uq_users_email\` (\`email\`),
  KEY \`ix_users_name\` (\`name\`)
) ENGINE=InnoDB AUTO_INCREMENT=11 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

export const ITEMS = `CREATE TABLE \`items\` (
  \`id\` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  \`owner_id\` bigint(20) unsigned DEFAULT NULL,
  \`qty\` int(11) NOT NULL,
  \`price\` decimal(12,2) NOT NULL,
  \`total\` decimal(14,2) GENERATED ALWAYS AS (\`qty\` * \`price\`) STORED,
  \`note\` text DEFAULT NULL,
  PRIMARY KEY (\`id\`),
  KEY \`ix_items_owner_id\` (\`owner_id\`),
  FULLTEXT KEY \`ft_items_note\` (\`note\`),
  CONSTRAINT \`fk_items_owner_id\` FOREIGN KEY (\`owner_id\`) REFERENCES \`users\` (\`id\`) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;

export function table(name: string, ddl: string, columns: string[], bytes: number, kind: 'mirror' | 'report' = 'mirror'): ManifestTable {
  return {
    name,
    kind,
    ddl,
    columns: columns.map((c) => ({ name: c, dataType: 'int', hex: false })),
    rows: 3,
    checksum: '12345',
    chunks: [{ file: `chunks/000${name.length % 10}-00000.tsv.gz`, rows: 3, bytes, sha256: 'a'.repeat(64) }],
  };
}

export function manifest(tables: ManifestTable[] = defaultTables()): Manifest {
  return {
    format: 'dualpipe-backup/1',
    complete: true,
    createdAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:01:00.000Z',
    tool: { name: 'dualpipe', version: '0.1.0' },
    server: { version: '10.11.6-MariaDB' },
    sourceSchema: 'crm',
    reportSchema: 'crm_report',
    sync: { runId: 1, finishedAt: '2025-01-01T00:00:00.000Z' },
    binlog: null,
    migrations: ['0001_a', '0002_b'],
    compression: 'gzip',
    tables,
    totals: { tables: tables.length, rows: 9, bytes: 300, seconds: 1 },
  };
}

export function defaultTables(): ManifestTable[] {
  return [
    table('users', USERS, ['id', 'email', 'name'], 100),
    table('items', ITEMS, ['id', 'owner_id', 'qty', 'price', 'note'], 200),
    table('rpt_x', 'CREATE TABLE `rpt_x` (\n  `a` int\n) ENGINE=MyISAM', ['a'], 50, 'report'),
  ];
}
