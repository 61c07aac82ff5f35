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

  it('is one mode among --from, --rollback and --drop-previous on the command line', async () => {
    const r = await runCliCapture(['restore', '--from-mirrors', '--from', '/tmp', '--source', fx.url]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/exactly one of --from <dir>, --from-mirrors/);
  });
});
