import type { SqlConnection } from '../../src/db/connection.js';
import { quoteId } from '../../src/db/quote.js';

/**
 * Drops a case's schema after it ran. Seen once in CI (seed 8, MariaDB, 2 December): "Error dropping
 * database (can't rmdir …, errno: 39 Directory not empty)", a file the server was still writing
 * there; the case itself had passed. Tried again for up to 2 s; a schema that still will not go is
 * left on the throwaway test server and said on stderr, since cleanup is not what a case checks.
 */
export async function dropSchema(admin: SqlConnection, schema: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.execute(`DROP DATABASE IF EXISTS ${quoteId(schema)}`);
      return;
    } catch (error) {
      if ((error as { errno?: number }).errno !== 1010) throw error;
      if (attempt >= 10) {
        process.stderr.write(`torture: schema ${schema} left on the test server: ${(error as Error).message}\n`);
        return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
