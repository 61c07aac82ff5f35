/** `restore --from-mirrors`: the InnoDB side rebuilt from the live MyISAM mirrors. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreFromMirrors } from '../../../backup/restore/restore-from-mirrors.js';
import type { SqlConnection } from '../../../src/db/connection.js';
import { qualify } from '../../../src/db/quote.js';
import { runSync } from '../../../sync/full/run-sync.js';
import { type CrmFixture, createCrmFixture } from '../../helpers/crm-fixture.js';
import { runCliCapture } from '../../helpers/run-cli-capture.js';
import { countOrphans, schemaDigest } from '../../helpers/table-digest.js';

let fx: CrmFixture;
let conn: SqlConnection;

beforeAll(async () => {
  fx = await createCrmFixture('frommirrors', 0.01);
  conn = await fx.connector.connect();
  await runSync({ pipeline: fx.pipeline });
});

afterAll(async () => {
  await conn.close();
  await fx.drop();
});

describe('restore --from-mirrors', () => {
  it('rebuilds a dropped InnoDB table and every other table as of the last sync, foreign keys included', async () => {
    const synced = await schemaDigest(conn, fx.reportSchema, fx.tables);
    await conn.execute(`DROP TABLE ${qualify(fx.database, 'contact_tags')}`);
    await conn.execute(`UPDATE ${qualify(fx.database, 'contacts')} SET lead_score = lead_score + 3 WHERE id % 4 = 0`);
    const r = await restoreFromMirrors({ connector: fx.connector, pipeline: fx.pipeline, target: fx.database });
    expect(r.tables.find((t) => t.table === 'contact_tags')!.replaced).toBe(false);
    expect(r.tables.find((t) => t.table === 'contacts')!.replaced).toBe(true);
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(synced);
    const engines = await conn.query<{ e: string }>(`SELECT ENGINE AS e FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'contact_tags'`, [fx.database]);
    expect(engines[0]!.e).toBe('InnoDB');
    const fks = await conn.query(`SELECT 1 FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = 'contact_tags'`, [fx.database]);
    expect(fks.length).toBeGreaterThan(0);
    expect(Object.values(await countOrphans(conn, fx.database, fx.database)).every((n) => n === 0)).toBe(true);
  });

  it('--tables rebuilds only a damaged table from its mirror; the other tables are untouched', async () => {
    const mirrors = await schemaDigest(conn, fx.reportSchema, fx.tables);
    await conn.execute(`DELETE FROM ${qualify(fx.database, 'contact_tags')} WHERE contact_id % 3 = 0`);
    await conn.execute(`UPDATE ${qualify(fx.database, 'contact_tags')} SET tag = CONCAT(tag, '-x') WHERE contact_id % 3 = 1`);
    // A change to another table since the sync: a restore of contact_tags alone must keep it.
    await conn.execute(`UPDATE ${qualify(fx.database, 'organizations')} SET name = CONCAT(name, ' (kept)') WHERE id % 2 = 0`);
    const before = await schemaDigest(conn, fx.database, fx.tables);
    expect(before.contact_tags).not.toBe(mirrors.contact_tags);
    const r = await runCliCapture(['restore', '--source', fx.url, '--from-mirrors', '--tables', 'contact_tags', '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { tables: { table: string; replaced: boolean }[]; previous: string | null };
    expect(out.tables).toEqual([expect.objectContaining({ table: 'contact_tags', replaced: true })]);
    expect(out.previous).toBe(`${fx.database}__dp_previous`);
    const after = await schemaDigest(conn, fx.database, fx.tables);
    for (const t of fx.tables) expect(after[t], t).toBe(t === 'contact_tags' ? mirrors[t] : before[t]);
    // The restored child still points at the live parent.
    await expect(conn.execute(`INSERT INTO ${qualify(fx.database, 'contact_tags')} (contact_id, tag, added_at) VALUES (999999999, 'x', NOW(6))`)).rejects.toThrow(/foreign key constraint fails/);
    // The rollback window holds the damaged table only; --rollback puts it back.
    const back = await runCliCapture(['restore', '--source', fx.url, '--rollback', '--yes']);
    expect(back.code, back.stderr).toBe(0);
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(before);
  });

  it('--tables rebuilds a dropped table from its mirror, with no rollback window (nothing was replaced)', async () => {
    const mirrors = await schemaDigest(conn, fx.reportSchema, ['contact_tags']);
    const others = fx.tables.filter((t) => t !== 'contact_tags');
    const before = await schemaDigest(conn, fx.database, others);
    await conn.execute(`DROP TABLE ${qualify(fx.database, 'contact_tags')}`);
    const r = await runCliCapture(['restore', '--source', fx.url, '--from-mirrors', '--tables', 'contact_tags', '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('no rollback window');
    expect(await schemaDigest(conn, fx.database, ['contact_tags'])).toEqual(mirrors);
    expect(await schemaDigest(conn, fx.database, others)).toEqual(before);
    const left = await conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [`${fx.database}__dp_previous`]);
    expect(left).toEqual([]);
  });

  it('--tables with a name that is no mirror: one clear line, exit 2, nothing changed', async () => {
    const before = await schemaDigest(conn, fx.database, fx.tables);
    const r = await runCliCapture(['restore', '--source', fx.url, '--from-mirrors', '--tables', 'contact_tags,nosuch', '--yes']);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n').filter((l) => /nosuch/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`--tables: nosuch is not a mirror in ${fx.reportSchema}`));
    expect(r.stderr).not.toMatch(/dualpipe-from-mirrors-|\bat \S+ \(/); // no scratch path, no stack
    expect(await schemaDigest(conn, fx.database, fx.tables)).toEqual(before);
  });

  it('is one mode among --from, --rollback and --drop-previous on the command line', async () => {
    const r = await runCliCapture(['restore', '--from-mirrors', '--from', '/tmp', '--source', fx.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exactly one of --from <dir>, --from-mirrors/);
  });
});
