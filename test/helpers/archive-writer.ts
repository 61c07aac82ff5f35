/**
 * A writer for archive tests: a loop of small transactions on contacts an archive never selects
 * (new contacts with children, updates of old ones), recording exactly what it committed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlConnection } from '../../src/db/connection.js';

/** What the writers committed over the whole file: inserted keys per table, and `table:key` of the rows they updated. */
export interface Written {
  inserted: Map<string, Set<string>>;
  touched: Set<string>;
}

/** A loop of small transactions on contacts the archive never selects: new contacts with children, updates of old ones. */
export function startWriter(conn: SqlConnection, unrelated: number[], { inserted, touched }: Written) {
  let stop = false;
  let paused = false;
  let commits = 0;
  let current: Promise<void> = Promise.resolve();
  const step = async (n: number) => {
    const u = unrelated[n % unrelated.length]!;
    const mine = new Map<string, string[]>();
    try {
      await conn.execute('START TRANSACTION');
      const c = await conn.execute("INSERT INTO contacts (first_name, last_name, email) VALUES ('Wri', 'Ter', CONCAT('writer-', ?, '-', UUID(), '@example.test'))", [n]);
      const id = String(c.insertId);
      const a = await conn.execute("INSERT INTO addresses (contact_id, kind, line1, city, region, postal_code, country_code) VALUES (?, 'home', 'l1', 'c', 'r', '1', 'DE')", [id]);
      await conn.execute("INSERT INTO contact_tags (contact_id, tag, added_at) VALUES (?, 'writer', NOW(6))", [id]);
      const i = await conn.execute("INSERT INTO interactions (contact_id, channel, direction, subject, occurred_at) VALUES (?, 'email', 'inbound', 'w', NOW(6))", [u]);
      await conn.execute('UPDATE contacts SET lead_score = (lead_score + 1) % 100 WHERE id = ?', [u]);
      const upd = await conn.query<{ id: number }>('SELECT id FROM addresses WHERE contact_id = ? FOR UPDATE', [u]);
      await conn.execute("UPDATE addresses SET city = CONCAT('w', ?) WHERE contact_id = ?", [n, u]);
      await conn.execute('COMMIT');
      mine.set('contacts', [id]);
      mine.set('addresses', [String(a.insertId)]);
      mine.set('contact_tags', [`${id}/writer`]);
      mine.set('interactions', [String(i.insertId)]);
      for (const [t, keys] of mine) for (const k of keys) inserted.get(t)!.add(k);
      touched.add(`contacts:${u}`);
      for (const r of upd) touched.add(`addresses:${r.id}`);
      commits++;
    } catch {
      // A lock wait or deadlock with the archive: this transaction is rolled back and tracks nothing.
      await conn.execute('ROLLBACK').catch(() => undefined);
    }
  };
  const loop = (async () => {
    for (let n = 0; !stop; n++) {
      if (!paused) {
        current = step(n);
        await current;
      }
      await sleep(2);
    }
  })();
  return {
    commits: () => commits,
    /** Stops between transactions (so a check reads a state the tracked keys describe) until `resume`. */
    async pause() {
      paused = true;
      await current;
    },
    resume() {
      paused = false;
    },
    async stop() {
      stop = true;
      await loop;
    },
  };
}
