/**
 * The backup manifest: written last, so a backup without `manifest.json` is incomplete and is
 * never restored. Everything in it is untrusted on the way back in: the parser checks types,
 * sizes, names and chunk paths before anything uses them.
 */
import { z } from 'zod';
import { UsageError } from '../src/errors.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'dualpipe-backup/1';

/** Chunk files live in `chunks/` with fixed names: a manifest cannot point outside the backup. */
export const CHUNK_FILE = /^chunks\/\d{4}-\d{5}\.tsv(\.gz)?$/;

/** Table names we accept from a manifest (always quoted when used): no NUL, slash, backtick or dot. */
const TABLE_NAME = /^[^\0/\\`.]{1,64}$/u;
const COLUMN_NAME = /^[^\0`]{1,64}$/u;
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const chunkSchema = z
  .object({
    file: z.string().regex(CHUNK_FILE, 'must be chunks/NNNN-NNNNN.tsv[.gz]'),
    rows: count,
    bytes: count,
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits'),
  })
  .strict();

export const columnSchema = z
  .object({
    name: z.string().regex(COLUMN_NAME),
    dataType: z.string().regex(/^[a-z ]{1,32}$/),
    /** Written as hex, loaded with UNHEX(). */
    hex: z.boolean(),
  })
  .strict();

export const tableSchema = z
  .object({
    name: z.string().regex(TABLE_NAME, 'is not an acceptable table name'),
    kind: z.enum(['mirror', 'report']),
    /** The InnoDB DDL (mirrors: from the source as of the sync) or the report's MyISAM DDL. */
    ddl: z.string().min(1).max(1_000_000),
    /** The loaded columns, in the order of the fields in each line (generated columns excluded). */
    columns: z.array(columnSchema).min(1).max(4096),
    rows: count,
    /** Engine-independent content checksum: COUNT(*) and BIT_XOR(CRC32(row text)) as a decimal string. */
    checksum: z.string().regex(/^\d{1,20}$/),
    chunks: z.array(chunkSchema).max(1_000_000),
  })
  .strict();

export const manifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    complete: z.literal(true),
    createdAt: z.string().max(64),
    finishedAt: z.string().max(64),
    tool: z.object({ name: z.literal('dualpipe'), version: z.string().max(64) }).strict(),
    server: z.object({ version: z.string().max(128) }).strict(),
    sourceSchema: z.string().regex(TABLE_NAME),
    reportSchema: z.string().regex(TABLE_NAME),
    sync: z.object({ runId: count, finishedAt: z.string().max(64) }).strict(),
    binlog: z
      .object({ file: z.string().max(512), position: count, gtid: z.string().max(65_536).optional() })
      .strict()
      .nullable(),
    binlogNote: z.string().max(512).optional(),
    /** Applied migrations of the source schema as of the sync (the schema version). */
    migrations: z.array(z.string().max(255)).max(100_000),
    compression: z.enum(['gzip', 'none']),
    tables: z.array(tableSchema).min(1).max(100_000),
    totals: z.object({ tables: count, rows: count, bytes: count, seconds: z.number().min(0) }).strict(),
  })
  .strict();

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestTable = z.infer<typeof tableSchema>;
export type ManifestChunk = z.infer<typeof chunkSchema>;

/** Parses and validates manifest text; one clear error naming the file and the first bad field. */
export function parseManifest(text: string, file: string): Manifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON (${(error as Error).message})`, {
      hint: 'the manifest is damaged: use another backup',
    });
  }
  const r = manifestSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.map(String).join('.') || '(top level)';
    throw new UsageError(`${file}: invalid manifest field ${field}: ${issue.message}`, {
      hint: 'the manifest is damaged or not from dualpipe: use another backup',
    });
  }
  const names = new Set<string>();
  const files = new Set<string>();
  for (const t of r.data.tables) {
    if (names.has(t.name)) throw new UsageError(`${file}: table ${t.name} appears twice`);
    names.add(t.name);
    if (t.chunks.reduce((a, c) => a + c.rows, 0) !== t.rows) {
      throw new UsageError(`${file}: the chunks of ${t.name} do not add up to its ${t.rows} rows`);
    }
    for (const c of t.chunks) {
      if (files.has(c.file)) throw new UsageError(`${file}: chunk ${c.file} is listed twice`);
      files.add(c.file);
      if ((r.data.compression === 'gzip') !== c.file.endsWith('.gz')) {
        throw new UsageError(`${file}: chunk ${c.file} does not match the compression ${r.data.compression}`);
      }
    }
  }
  return r.data;
}

/** The file name of chunk `k` of table number `t`. */
export function chunkFileName(tableIndex: number, chunkIndex: number, compression: 'gzip' | 'none'): string {
  return `chunks/${String(tableIndex).padStart(4, '0')}-${String(chunkIndex).padStart(5, '0')}.tsv${compression === 'gzip' ? '.gz' : ''}`;
}
