/**
 * A CRM writer for fault tests that knows exactly what the database must hold. Each transaction
 * inserts a contact with an address, a transaction and an item, updates a contact's lead score,
 * or deletes a contact (cascading to its address, transaction and item), and sets the marker row
 * `fault_marker` to its number and to the totals it leaves behind. A write is *acknowledged* only
 * once its COMMIT returned OK. A COMMIT whose answer never came (the server died) is *in doubt*:
 * after reconnecting, the marker row says whether it committed, and its rows must then be wholly
 * there or wholly absent. A failure before COMMIT rolls back (the server never got a COMMIT).
 * Writer rows use ids from WRITER_BASE in contacts, addresses, transactions and transaction_items.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlConnection, SqlConnector } from '../../src/db/connection.js';
import { qualify } from '../../src/db/quote.js';

export const WRITER_BASE = 50_000_000;
export const MARKER_TABLE = 'fault_marker';

type Kind = 'insert' | 'update' | 'delete';
interface Op {
  n: number;
  kind: Kind;
  contact: number;
  score: number;
}

/** What the writer leaves behind: live writer contacts with their lead scores, and deleted ones. */
export interface WriterModel {
  alive: Map<number, number>;
  deleted: Set<number>;
}

export interface WriterResult {
  model: WriterModel;
  acknowledged: Record<Kind, number>;
  inDoubt: { op: Op; committed: boolean; partial: boolean }[];
  /** Transactions cut before COMMIT: rolled back by the server. */
  rolledBack: number;
  reconnects: number;
}

/** Creates the marker table (one row, the writer's last transaction and its totals). */
export async function createMarker(conn: SqlConnection, schema: string): Promise<void> {
  await conn.execute(
    `CREATE TABLE ${qualify(schema, MARKER_TABLE)} (id INT PRIMARY KEY, v INT NOT NULL, contacts INT NOT NULL, items INT NOT NULL, score BIGINT NOT NULL) ENGINE=InnoDB`,
  );
  await conn.execute(`INSERT INTO ${qualify(schema, MARKER_TABLE)} VALUES (1, 0, 0, 0, 0)`);
}

const CHILD_TABLES = ['addresses', 'transactions', 'transaction_items'] as const;

function nextOp(n: number, model: WriterModel): Op {
  const ids = [...model.alive.keys()];
  // Two inserts, an update and a delete in every four transactions; the pick is deterministic.
  const kind: Kind = ids.length < 3 || n % 4 < 2 ? 'insert' : n % 4 === 2 ? 'update' : 'delete';
  if (kind === 'insert') return { n, kind, contact: WRITER_BASE + n, score: n % 1000 };
  const contact = ids[(n * 7919) % ids.length]!;
  return { n, kind, contact, score: n % 1000 };
}

function apply(model: WriterModel, op: Op): void {
  if (op.kind === 'delete') {
    model.alive.delete(op.contact);
    model.deleted.add(op.contact);
  } else model.alive.set(op.contact, op.score);
}

async function runOp(c: SqlConnection, s: string, op: Op): Promise<void> {
  const id = op.contact;
  if (op.kind === 'insert') {
    await c.execute(
      `INSERT INTO ${qualify(s, 'contacts')} (id, first_name, last_name, email, lead_score) VALUES (?, 'Fault', ?, ?, ?)`,
      [id, `w${op.n}`, `fault-${op.n}@example.test`, op.score],
    );
    await c.execute(
      `INSERT INTO ${qualify(s, 'addresses')} (id, contact_id, kind, line1, city, region, postal_code, country_code) VALUES (?, ?, 'home', '1 Main St', 'Lyon', 'ARA', '69001', 'FR')`,
      [id, id],
    );
    await c.execute(
      `INSERT INTO ${qualify(s, 'transactions')} (id, contact_id, status, currency, total_amount, occurred_at) VALUES (?, ?, 'paid', 'EUR', 10.00, '2024-01-01 00:00:00')`,
      [id, id],
    );
    await c.execute(
      `INSERT INTO ${qualify(s, 'transaction_items')} (id, transaction_id, catalog_item_id, quantity, unit_price) VALUES (?, ?, 1, 1, 10.00)`,
      [id, id],
    );
  } else if (op.kind === 'update') {
    await c.execute(`UPDATE ${qualify(s, 'contacts')} SET lead_score = ? WHERE id = ?`, [op.score, id]);
  } else {
    // ON DELETE CASCADE: address, transaction, and through it the transaction item.
    await c.execute(`DELETE FROM ${qualify(s, 'contacts')} WHERE id = ?`, [id]);
  }
}

/** The marker's totals once `op` is applied to `model` (the model is exact: doubts are resolved first). */
function totalsAfter(model: WriterModel, op: Op): { contacts: number; score: number } {
  let score = 0;
  for (const v of model.alive.values()) score += v;
  const before = model.alive.get(op.contact);
  if (op.kind === 'insert') return { contacts: model.alive.size + 1, score: score + op.score };
  if (op.kind === 'update') return { contacts: model.alive.size, score: score - (before ?? 0) + op.score };
  return { contacts: model.alive.size - 1, score: score - (before ?? 0) };
}

async function rowsOf(c: SqlConnection, s: string, id: number): Promise<{ contact: number | null; children: number }> {
  const row = await c.query<{ lead_score: number }>(`SELECT lead_score FROM ${qualify(s, 'contacts')} WHERE id = ?`, [id]);
  let children = 0;
  for (const t of CHILD_TABLES) children += (await c.query(`SELECT 1 FROM ${qualify(s, t)} WHERE id = ?`, [id])).length;
  return { contact: row[0] ? Number(row[0].lead_score) : null, children };
}

/** Resolves a COMMIT whose answer was lost, from the marker row; checks the op is all or nothing. */
async function resolveDoubt(c: SqlConnection, s: string, op: Op, model: WriterModel): Promise<{ committed: boolean; partial: boolean }> {
  const marker = await c.query<{ v: number }>(`SELECT v FROM ${qualify(s, MARKER_TABLE)} WHERE id = 1`);
  const committed = Number(marker[0]?.v) === op.n;
  const r = await rowsOf(c, s, op.contact);
  const before = model.alive.get(op.contact);
  const present = r.contact !== null && r.children === 3;
  const absent = r.contact === null && r.children === 0;
  let whole: boolean;
  if (op.kind === 'insert') whole = committed ? present && r.contact === op.score : absent;
  else if (op.kind === 'update') whole = present && r.contact === (committed ? op.score : before);
  else whole = committed ? absent : present && r.contact === before;
  return { committed, partial: !whole };
}

/** Steers a running writer: `done` stops it; `atCommit` is called once, just after a COMMIT is sent. */
export interface WriterControl {
  done: boolean;
  atCommit?: () => void;
}

/** Runs transactions until `control.done`, reconnecting whenever the server goes away. */
export async function runAckWriter(
  connector: SqlConnector,
  schema: string,
  control: WriterControl,
  options: { pauseMs?: number } = {},
): Promise<WriterResult> {
  const model: WriterModel = { alive: new Map(), deleted: new Set() };
  const result: WriterResult = { model, acknowledged: { insert: 0, update: 0, delete: 0 }, inDoubt: [], rolledBack: 0, reconnects: 0 };
  const m = qualify(schema, MARKER_TABLE);
  let conn: SqlConnection | undefined;
  let doubt: Op | undefined;
  let n = 0;
  const connect = async (): Promise<SqlConnection> => {
    for (;;) {
      try {
        return await connector.connect();
      } catch {
        result.reconnects++;
        await sleep(100);
      }
    }
  };
  try {
    while (!control.done || doubt) {
      conn ??= await connect();
      if (doubt) {
        try {
          const r = await resolveDoubt(conn, schema, doubt, model);
          if (r.committed) apply(model, doubt);
          result.inDoubt.push({ op: doubt, ...r });
          doubt = undefined;
        } catch {
          conn.destroy();
          conn = undefined;
          await sleep(100);
        }
        continue;
      }
      const op = nextOp(++n, model);
      const totals = totalsAfter(model, op);
      let committing = false;
      try {
        await conn.execute('START TRANSACTION');
        await runOp(conn, schema, op);
        await conn.execute(`UPDATE ${m} SET v = ?, contacts = ?, items = ?, score = ? WHERE id = 1`, [op.n, totals.contacts, totals.contacts, totals.score]);
        committing = true;
        const commit = conn.execute('COMMIT');
        // A fault injected here lands while the COMMIT is on its way: its outcome is in doubt.
        const hook = control.atCommit;
        control.atCommit = undefined;
        hook?.();
        await commit;
        apply(model, op);
        result.acknowledged[op.kind]++;
        // A steady load rather than a flat-out one: the scheduler's runs share two cores with it.
        if (options.pauseMs) await sleep(options.pauseMs);
      } catch {
        // Closing the session rolls back whatever was not committed.
        conn.destroy();
        conn = undefined;
        if (committing) doubt = op;
        else result.rolledBack++;
        await sleep(50);
      }
    }
  } finally {
    await conn?.close();
  }
  return result;
}

/** Compares a schema (the source, or the mirrors) with the writer's model. */
export async function checkAgainstModel(
  conn: SqlConnection,
  schema: string,
  model: WriterModel,
): Promise<{ expectedRows: number; lost: string[]; unexpected: string[] }> {
  const lost: string[] = [];
  const unexpected: string[] = [];
  const contacts = new Map(
    (await conn.query<{ id: number; lead_score: number }>(`SELECT id, lead_score FROM ${qualify(schema, 'contacts')} WHERE id >= ?`, [WRITER_BASE])).map(
      (r) => [Number(r.id), Number(r.lead_score)],
    ),
  );
  for (const [id, score] of model.alive) {
    const got = contacts.get(id);
    if (got === undefined) lost.push(`contacts ${id}`);
    else if (got !== score) lost.push(`contacts ${id} lead_score ${got}, expected ${score}`);
  }
  for (const id of contacts.keys()) if (!model.alive.has(id)) unexpected.push(`contacts ${id}${model.deleted.has(id) ? ' (deleted)' : ''}`);
  for (const t of CHILD_TABLES) {
    const ids = new Set((await conn.query<{ id: number }>(`SELECT id FROM ${qualify(schema, t)} WHERE id >= ?`, [WRITER_BASE])).map((r) => Number(r.id)));
    for (const id of model.alive.keys()) if (!ids.has(id)) lost.push(`${t} ${id}`);
    for (const id of ids) if (!model.alive.has(id)) unexpected.push(`${t} ${id}${model.deleted.has(id) ? ' (cascade-deleted)' : ''}`);
  }
  return { expectedRows: model.alive.size * 4, lost, unexpected };
}
