/**
 * The backup manifest: written last, so a backup without `manifest.json` is incomplete and is
 * never restored. Everything in it is untrusted on the way back in: the parser checks types,
 * sizes, names and chunk paths before anything uses them.
 */
import type { z } from 'zod';
import { BackupError, UnsupportedTableError } from '../../src/errors.js';
import { quoteId } from '../../src/db/quote.js';
import { sealedSize } from './chunk-cipher.js';
import { chunkSuffix, type Compression, compressionOfFile } from './chunk-compression.js';
import { declaredTable } from './split-table-ddl.js';
import { archiveSchema, type Manifest, type ManifestArchive, type ManifestFile, type ManifestTable, manifestFileSchema, manifestSchema, SCHEMA_NAME } from './manifest-schema.js';

export * from './manifest-schema.js';


const NOT_OURS = 'the manifest is damaged or not from dualpipe: use another backup';

function firstIssue(file: string, error: z.ZodError): BackupError {
  const issue = error.issues[0]!;
  const field = issue.path.map(String).join('.') || '(top level)';
  return new BackupError(file, `invalid manifest field ${field}: ${issue.message}`, { hint: NOT_OURS });
}

/**
 * Parses and validates manifest text as written, without opening a sealed table list: enough for
 * `backup list` and `prune`, which need no key.
 */
export function parseManifestFile(text: string, file: string): ManifestFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new BackupError(file, `not valid JSON (${(error as Error).message})`, { hint: 'the manifest is damaged: use another backup' });
  }
  const r = manifestFileSchema.safeParse(json);
  if (!r.success) throw firstIssue(file, r.error);
  const m = r.data;
  if ((m.tables === undefined) === (m.sealed === undefined) || (m.sealed === undefined) !== (m.encryption === undefined)) {
    throw new BackupError(file, 'a manifest has either tables, or sealed tables and an encryption key id', { hint: NOT_OURS });
  }
  if (m.tables) checkTables(m.tables, m.compression, file);
  if (m.archive && m.sealed) throw new BackupError(file, 'an encrypted manifest keeps its archive part sealed', { hint: NOT_OURS });
  if (m.archive && m.tables) checkArchive(m.archive, m.tables, m.compression, file);
  return m;
}

/**
 * Checks the archive part against the table list: its tables pass the tables' checks, are all of
 * kind `archive` (and the table list holds none), and share no chunk file with it.
 */
export function checkArchive(archive: ManifestArchive, tables: readonly ManifestTable[], compression: Manifest['compression'], file: string): void {
  if (tables.some((t) => t.kind === 'archive') || archive.tables.some((t) => t.kind !== 'archive'))
    throw new BackupError(file, 'archive tables belong in the archive part, and only there', { hint: NOT_OURS });
  const files = new Set(tables.flatMap((t) => t.chunks.map((c) => c.file)));
  checkTables(archive.tables, compression, file, files);
}

/** Validates an opened archive part (unsealed with the table list). */
export function parseArchive(json: unknown, tables: readonly ManifestTable[], compression: Manifest['compression'], file: string): ManifestArchive {
  const r = archiveSchema.safeParse(json);
  if (!r.success) throw firstIssue(file, r.error);
  checkArchive(r.data, tables, compression, file);
  return r.data;
}

/** Validates an opened table list (from the manifest, or unsealed from it). */
export function parseTables(json: unknown, compression: Manifest['compression'], file: string): ManifestTable[] {
  const r = manifestSchema.shape.tables.safeParse(json);
  if (!r.success) throw firstIssue(file, r.error);
  checkTables(r.data, compression, file);
  return r.data;
}

function checkTables(tables: readonly ManifestTable[], compression: Manifest['compression'], file: string, files = new Set<string>()): void {
  const names = new Set<string>();
  const invalid = (field: string, message: string) =>
    new BackupError(file, `invalid manifest field ${field}: ${message}`, { hint: NOT_OURS });
  for (const [i, t] of tables.entries()) {
    if (names.has(t.name)) throw new BackupError(file, `table ${t.name} appears twice`, { hint: NOT_OURS });
    names.add(t.name);
    // Names are free-form, so each must be the one its DDL creates, and the columns its columns.
    const declared = declaredTable(t.ddl);
    if (declared?.name !== t.name)
      throw invalid(`tables.${i}.name`, `table ${t.name}: the DDL does not start with CREATE TABLE ${quoteId(t.name)} (`);
    const j = t.columns.findIndex((c, k) => c.name !== declared.columns[k]);
    if (j >= 0) throw invalid(`tables.${i}.columns.${j}.name`, `table ${t.name}: not the DDL's column ${j + 1}`);
    if (t.columns.length !== declared.columns.length)
      throw invalid(`tables.${i}.columns`, `table ${t.name}: ${t.columns.length} columns, the DDL has ${declared.columns.length}`);
    if (t.chunks.reduce((a, c) => a + c.rows, 0) !== t.rows) {
      throw new BackupError(file, `the chunks of ${t.name} do not add up to its ${t.rows} rows`, { hint: NOT_OURS });
    }
    const keys = t.keyColumns;
    if (keys?.some((k) => !t.columns.some((c) => c.name === k))) throw invalid(`tables.${i}.keyColumns`, `table ${t.name}: not one of its columns`);
    for (const c of t.chunks) {
      if (c.keyRanges && c.keyRanges.length !== (keys?.length ?? -1))
        throw invalid(`tables.${i}.chunks`, `chunk ${c.file}: ${c.keyRanges.length} key ranges for ${keys?.length ?? 0} key columns`);
      if (c.blocks) {
        // Blocks tile the file: together they are every row and every byte of it, in order; compressed,
        // their members/frames are every byte of the file (of its plaintext when encrypted).
        const rows = c.blocks.reduce((a, b) => a + b.rows, 0);
        const bytes = c.blocks.reduce((a, b) => a + b.bytes, 0);
        const packed = c.blocks.reduce((a, b) => a + (b.packed ?? 0), 0);
        const tiles =
          compression === 'none'
            ? c.blocks.every((b) => b.packed === undefined) && bytes === (c.rawBytes ?? c.bytes)
            : c.blocks.every((b) => b.packed !== undefined) && bytes === c.rawBytes && (packed === c.bytes || sealedSize(packed) === c.bytes);
        if (!tiles || rows !== c.rows || c.blocks.some((b) => b.keyRanges.length !== (keys?.length ?? -1)))
          throw invalid(`tables.${i}.chunks`, `chunk ${c.file}: its blocks do not tile it (${rows} rows, ${bytes} bytes)`);
      }
      if (files.has(c.file)) throw new BackupError(file, `chunk ${c.file} is listed twice`, { hint: NOT_OURS });
      files.add(c.file);
      if (compressionOfFile(c.file) !== compression) {
        throw new BackupError(file, `chunk ${c.file} does not match the compression ${compression}`, { hint: NOT_OURS });
      }
      // zstd can expand a file far more than deflate's 1032x: without the recorded size a restore
      // would have no cap (every zstd backup records it).
      if (compression === 'zstd' && c.rawBytes === undefined) throw invalid(`tables.${i}.chunks`, `chunk ${c.file}: a zstd chunk without rawBytes`);
    }
  }
}

/**
 * Run by a backup before it dumps anything: the schema names and every planned table (its name,
 * columns and DDL) must pass the checks a restore applies to the manifest, or the backup is refused.
 */
export function checkRestorable(
  sourceSchema: string,
  reportSchema: string,
  tables: readonly Pick<ManifestTable, 'name' | 'kind' | 'ddl' | 'columns'>[],
  compression: Manifest['compression'],
): void {
  const refuse = (table: string, reason: string) =>
    new UnsupportedTableError([{ table, reason: `a restore could not read it back: ${reason}` }], {
      hint: 'rename it, or leave it out of the sync (--exclude)',
    });
  for (const schema of [sourceSchema, reportSchema]) {
    if (!SCHEMA_NAME.test(schema)) throw refuse(schema, 'a schema name with `.`, `/`, `\\` or a backtick');
  }
  for (const t of tables) {
    try {
      parseTables([{ name: t.name, kind: t.kind, ddl: t.ddl, columns: t.columns, rows: 0, checksum: '0', chunks: [] }], compression, 'backup plan');
    } catch (error) {
      throw refuse(t.name, (error as Error).message.replace(/^backup plan: invalid manifest field tables\.0\./, ''));
    }
  }
}

/** The file name of chunk `k` of table number `t`. */
export function chunkFileName(tableIndex: number, chunkIndex: number, compression: Compression): string {
  return `chunks/${String(tableIndex).padStart(4, '0')}-${String(chunkIndex).padStart(5, '0')}.tsv${chunkSuffix(compression)}`;
}
