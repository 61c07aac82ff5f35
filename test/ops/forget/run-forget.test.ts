/**
 * `runForget` on the bundled CRM (real server): two live contacts and one archived contact, each
 * with a three-level tree, are erased from the source, the archive, the mirrors and the reports,
 * and every other row stays exactly as it was (plain-SQL oracle, forget-world.ts); the ledger holds
 * one entry with the right counts and keyed hashes (checked with an HMAC written here) and no key
 * value in clear; --dry-run predicts the counts; a second forget is a no-op; bad filters, a RESTRICT
 * referrer and another key are refused with nothing changed.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runForget } from '../../../ops/forget/run-forget.js';
import { internalSchemaOf } from '../../../src/catalog/internal-schema.js';
import { qualify } from '../../../src/db/quote.js';
import { erasureKeyOf } from '../../../src/erasure/erasure-key.js';
import { UsageError } from '../../../src/errors.js';
import { expectForgotten, type ForgetWorld, forgetWorld, snapshot, sorted, tablesOf } from './forget-world.js';

/** HMAC-SHA256 of a one-column key as the ledger defines it (erasure-key.ts), written out here as the oracle. */
function oracleHash(key: Buffer, table: string, value: string): string {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(Buffer.byteLength(value));
  return createHmac('sha256', key).update(table).update(Buffer.of(0)).update(len).update(value).digest('hex');
}

describe('runForget on the CRM', () => {
  let w: ForgetWorld;
  const ledger = () => internalSchemaOf(w.fx.database);
  const sourceDigest = async () => snapshot(w.conn, w.fx.database, await tablesOf(w.conn, w.fx.database));
  beforeAll(async () => {
    w = await forgetWorld('forget');
  }, 300_000);
  afterAll(async () => {
    await w?.conn.close();
    await w?.fx.drop();
  });

  it('refuses bad filters and an empty reason with a UsageError before anything changes', async () => {
    for (const where of ['nosuch.id = 1', 'contacts.nosuch IN (1)', 'contacts.id IN (', 'id IN (1)', 'contacts.id <> 1'])
      await expect(runForget({ pipeline: w.fx.pipeline, where, reason: 'r', key: w.key }), where).rejects.toBeInstanceOf(UsageError);
    await expect(runForget({ pipeline: w.fx.pipeline, where: w.where, reason: ' ', key: w.key })).rejects.toBeInstanceOf(UsageError);
    await expect(runForget({ pipeline: w.fx.pipeline, where: w.where, reason: 'r' })).rejects.toThrow(/no erasure key/);
    expect(await w.conn.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [ledger()])).toEqual([]);
    const now = await sourceDigest();
    for (const [t, rows] of w.before) expect(sorted(now.get(t)), t).toEqual(sorted(rows));
  });

  it('refuses a subject a RESTRICT key holds, naming the key and tables, and changes nothing', async () => {
    const [{ id }] = (await w.conn.query<{ id: number }>(`SELECT id FROM contacts WHERE id NOT IN (${w.live.join(', ')}) ORDER BY id DESC LIMIT 1`)) as [{ id: number }];
    await w.conn.execute('CREATE TABLE legal_holds (id INT PRIMARY KEY, contact_id BIGINT UNSIGNED NOT NULL, CONSTRAINT fk_legal_holds_contact FOREIGN KEY (contact_id) REFERENCES contacts (id) ON DELETE RESTRICT) ENGINE=InnoDB');
    await w.conn.execute('INSERT INTO legal_holds VALUES (1, ?)', [id]);
    const before = await sourceDigest();
    for (const dryRun of [true, false])
      await expect(runForget({ pipeline: w.fx.pipeline, where: `contacts.id IN (${id})`, reason: 'r', key: w.key, dryRun })).rejects.toThrow(/fk_legal_holds_contact \(1 row\(s\) of legal_holds reference contacts, ON DELETE RESTRICT\)/);
    const after = await sourceDigest();
    for (const [t, rows] of before) expect(sorted(after.get(t)), t).toEqual(sorted(rows));
    await w.conn.execute('DROP TABLE legal_holds');
  });

  it('erases the subject everywhere, records one ledger entry, predicts it in a dry run, and a second run is a no-op', async () => {
    const [{ n: reportBefore }] = (await w.conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${qualify(w.fx.reportSchema, 'rpt_customer_360')} WHERE contact_id IN (${w.live.join(', ')})`)) as [{ n: number }];
    expect(Number(reportBefore)).toBe(2);
    const dry = await runForget({ pipeline: w.fx.pipeline, where: w.where, reason: 'GDPR request 118', dryRun: true });
    const real = await runForget({ pipeline: w.fx.pipeline, where: w.where, reason: 'GDPR request 118', key: w.key });
    for (const t of real.tables) {
      expect(t.source, `${t.table} source`).toBe(w.liveIds.get(t.table)!.size);
      expect(t.archive, `${t.table} archive`).toBe(w.archivedIds.get(t.table)!.size);
    }
    expect(real.tables.find((t) => t.table === 'transaction_items')!.source).toBeGreaterThan(0);
    expect(real.tables.find((t) => t.table === 'opportunity_stage_history')!.archive).toBeGreaterThan(0);
    expect(real).toMatchObject({ subjects: 2, archivedSubjects: 1, chunks: 1, nulled: [{ foreignKey: 'fk_referrals_contact', table: 'referrals', rows: 1 }], nothingToForget: false });
    expect(real.publish.sync).toBe('full');
    expect({ tables: dry.tables, subjects: dry.subjects, archivedSubjects: dry.archivedSubjects, nulled: dry.nulled }).toEqual({
      tables: real.tables,
      subjects: real.subjects,
      archivedSubjects: real.archivedSubjects,
      nulled: real.nulled,
    });
    await expectForgotten(w, expect);
    for (const rep of ['rpt_customer_360'])
      expect(await w.conn.query(`SELECT contact_id FROM ${qualify(w.fx.reportSchema, rep)} WHERE contact_id IN (${[...w.live, w.archived].join(', ')})`), rep).toEqual([]);

    // The ledger: one entry, the counts of both places, a hash per row, the same entry on the report side.
    const entries = await w.conn.query<Record<string, unknown>>(`SELECT * FROM ${qualify(ledger(), 'erasure_ledger')}`);
    expect(entries).toHaveLength(1);
    const e = entries[0]!;
    expect(real.ledgerEntries).toEqual([e.erasure_id]);
    const want = Object.fromEntries(real.tables.filter((t) => t.source + t.archive > 0).map((t) => [t.table, t.source + t.archive]));
    expect(JSON.parse(String(e.row_counts))).toEqual(want);
    expect(Number(e.total_rows)).toBe(Object.values(want).reduce((a, b) => a + b, 0));
    expect([e.reason, e.key_id, e.root_table]).toEqual(['GDPR request 118', w.key.id, 'contacts']);
    expect(String(e.erased_by)).toMatch(/@/);
    const hashes = await w.conn.query<{ t: string; h: string }>(`SELECT table_name AS t, LOWER(HEX(key_hash)) AS h FROM ${qualify(ledger(), 'erasure_keys')}`);
    for (const [t, n] of Object.entries(want)) expect(hashes.filter((h) => h.t === t).length, t).toBe(n);
    const contactHashes = hashes.filter((h) => h.t === 'contacts').map((h) => h.h).sort();
    expect(contactHashes).toEqual([...w.live, w.archived].map((id) => oracleHash(w.key.key, 'contacts', String(id))).sort());
    const reportLedger = internalSchemaOf(w.fx.reportSchema);
    expect((await w.conn.query(`SELECT erasure_id FROM ${qualify(reportLedger, 'erasure_ledger')}`)).map((r) => r.erasure_id)).toEqual([e.erasure_id]);
    expect(Number((await w.conn.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${qualify(reportLedger, 'erasure_keys')}`))[0]!.n)).toBe(hashes.length);
    // No key value in clear: the raw bytes of every ledger column, both sides, hold no e-mail address of the subject.
    for (const schema of [ledger(), reportLedger])
      for (const table of ['erasure_ledger', 'erasure_keys']) {
        const cols = (await w.conn.query<{ c: string }>('SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?', [schema, table])).map((r) => `\`${r.c}\``);
        const raw = (await w.conn.query<{ r: Buffer | string }>(`SELECT CAST(CONCAT_WS(0x00, ${cols.join(', ')}) AS BINARY) AS r FROM ${qualify(schema, table)}`)).map((r) => Buffer.from(r.r as Buffer)).reduce((a, b) => Buffer.concat([a, b]), Buffer.alloc(0));
        for (const email of w.emails) expect(raw.includes(Buffer.from(email)), `${email} in ${schema}.${table}`).toBe(false);
        expect(raw.includes(Buffer.from(w.where)), `the --where text in ${schema}.${table}`).toBe(false);
      }

    const again = await runForget({ pipeline: w.fx.pipeline, where: w.where, reason: 'GDPR request 118', key: w.key });
    expect(again).toMatchObject({ nothingToForget: true, subjects: 0, archivedSubjects: 0, ledgerEntries: [], publish: { sync: 'none' } });
    expect(await w.conn.query(`SELECT erasure_id FROM ${qualify(ledger(), 'erasure_ledger')}`)).toHaveLength(1);
    await expectForgotten(w, expect);

    // Another key: refused, nothing changed (a restore could not recognise both).
    const other = erasureKeyOf(randomBytes(32));
    await expect(runForget({ pipeline: w.fx.pipeline, where: `contacts.id IN (${w.live[0]! + 100000})`, reason: 'r', key: other })).rejects.toThrow(/another erasure key/);
  }, 300_000);
});
