/**
 * The backup manifest's shape (zod schemas and their types): what a manifest may hold, field by
 * field. The checks across fields (names against the DDL, chunks and blocks tiling their files)
 * and the parsing live in manifest.ts, which re-exports everything here.
 */
import { z } from 'zod';

/**
 * The manifest's file name in a backup folder. It is written last: a folder without it holds an
 * unfinished backup.
 */
export const MANIFEST_FILE = 'manifest.json';
/** The manifest format this version writes and reads; the parser refuses any other `format`. */
export const MANIFEST_FORMAT = 'dualpipe-backup/1';

/** Chunk files live in `chunks/` with fixed names: a manifest cannot point outside the backup. */
export const CHUNK_FILE = /^chunks\/\d{4}-\d{5}\.tsv(\.gz|\.zst)?$/;

/**
 * Table and column names: anything MySQL allows (`.`, `\\`, backticks included), since a name is
 * only ever used quoted and never names a file (chunks are numbered). What makes a name safe is
 * that it is the one the table's DDL creates, checked in `checkTables`.
 */
const TABLE_NAME = /^[^\0]{1,64}$/u;
const COLUMN_NAME = /^[^\0]{1,64}$/u;
/** Schema names stay plain: a restore derives its staging and rollback schema names from them. */
export const SCHEMA_NAME = /^[^\0/\\`.]{1,64}$/u;
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** An integer as exact decimal text: any MySQL integer type (BIGINT UNSIGNED has 20 digits). */
const INT_TEXT = z.string().regex(/^-?\d{1,20}$/, 'must be an integer');

/**
 * One block of lines of a chunk, in order (a block starts where the one before ends; offsets of the
 * plaintext in an encrypted chunk): its rows, bytes, SHA-256 and key ranges, so a merge restore
 * reads and checks only the blocks that can hold its rows (chunk-key-ranges.ts). In a compressed
 * chunk each block is its own gzip member / zstd frame (concatenated, they are one valid file), and
 * `packed` is its compressed size: its compressed offset is the sum of the `packed` before it.
 */
export const blockSchema = z
  .object({
    rows: count,
    bytes: count,
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits'),
    keyRanges: z.array(z.tuple([INT_TEXT, INT_TEXT]).nullable()).max(64),
    /** Compressed bytes of the block (its own gzip member or zstd frame); only in a compressed chunk. */
    packed: count.optional(),
  })
  .strict();

/** One chunk file of a manifest table: its path, rows, size and SHA-256 as written. */
export const chunkSchema = z
  .object({
    file: z.string().regex(CHUNK_FILE, 'must be chunks/NNNN-NNNNN.tsv[.gz|.zst]'),
    rows: count,
    bytes: count,
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits'),
    /** Bytes of the lines before compression and encryption: a restore refuses to read more (a decompression bomb). */
    rawBytes: count.optional(),
    /**
     * Per column of the table's `keyColumns`: the least and greatest value in the chunk as exact
     * decimal text (BIGINT UNSIGNED passes 2^53), null when all are NULL. Absent in older backups.
     */
    keyRanges: z.array(z.tuple([INT_TEXT, INT_TEXT]).nullable()).max(64).optional(),
    /**
     * The chunk's blocks, when it has more than one and a reader can start at each (lines as they
     * are, or one compressed member/frame per block). Absent in older backups.
     */
    blocks: z.array(blockSchema).max(1_000_000).optional(),
  })
  .strict();

/** One loaded column of a manifest table, and how its values are written in the chunk lines. */
export const columnSchema = z
  .object({
    name: z.string().regex(COLUMN_NAME),
    dataType: z.string().regex(/^[a-z ]{1,32}$/),
    /** Written as hex, loaded with UNHEX(). */
    hex: z.boolean(),
    /**
     * How the dump read the column, when not as plain session text (absent in backups before it
     * was recorded, which load as they always did): `bytes`, a string column's stored bytes
     * (`CAST(… AS BINARY)`, hex) whose character set does not round-trip through utf8mb4;
     * `double`, a FLOAT as the exact text of its double. Informative: `hex` alone drives the load.
     */
    encoding: z.enum(['bytes', 'double', 'index']).optional(),
  })
  .strict();

/**
 * One table of a manifest: a mirror (with the source's InnoDB DDL) or a report (with its MyISAM
 * DDL), its loaded columns, rows, content checksum and chunk files.
 */
export const tableSchema = z
  .object({
    name: z.string().regex(TABLE_NAME, 'is not an acceptable table name'),
    /** `archive`: a table of the archive schema (only in the manifest's `archive` part). */
    kind: z.enum(['mirror', 'report', 'archive']),
    /** The InnoDB DDL (mirrors: from the source as of the sync) or the report's or archive table's MyISAM DDL. */
    ddl: z.string().min(1).max(1_000_000),
    /** The loaded columns, in the order of the fields in each line (generated columns excluded). */
    columns: z.array(columnSchema).min(1).max(4096),
    rows: count,
    /**
     * Engine-independent content checksum: `v3:` and the SUM of 64-bit SHA-256 row digests
     * (content-checksum.ts); `v2:` (MD5 digests) or a bare number (CRC32) in older backups.
     */
    checksum: z.string().regex(/^(\d{1,20}|v[23]:\d{1,45})$/),
    chunks: z.array(chunkSchema).max(1_000_000),
    /** Integer key columns whose ranges each chunk's `keyRanges` records (chunk-key-index.ts). */
    keyColumns: z.array(z.string().regex(COLUMN_NAME)).max(64).optional(),
  })
  .strict();

/** The manifest's archive part: the archive schema's name and its tables (kind `archive`). */
export const archiveSchema = z
  .object({
    schema: z.string().regex(SCHEMA_NAME),
    tables: z.array(tableSchema).max(100_000),
  })
  .strict();

/**
 * The manifest, opened: where the data came from (schemas, sync run, binlog position, migrations),
 * how the chunks are stored, the tables and the totals. Every object is strict: an unknown field is
 * refused, not ignored.
 */
export const manifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    complete: z.literal(true),
    createdAt: z.string().max(64),
    finishedAt: z.string().max(64),
    tool: z.object({ name: z.literal('dualpipe'), version: z.string().max(64) }).strict(),
    server: z.object({ version: z.string().max(128) }).strict(),
    sourceSchema: z.string().regex(SCHEMA_NAME),
    reportSchema: z.string().regex(SCHEMA_NAME),
    sync: z.object({ runId: count, finishedAt: z.string().max(64) }).strict(),
    binlog: z
      .object({ file: z.string().max(512), position: count, gtid: z.string().max(65_536).optional() })
      .strict()
      .nullable(),
    binlogNote: z.string().max(512).optional(),
    /** Applied migrations of the source schema as of the sync (the schema version). */
    migrations: z.array(z.string().max(255)).max(100_000),
    compression: z.enum(['gzip', 'zstd', 'none']),
    tables: z.array(tableSchema).min(1).max(100_000),
    /**
     * The archive schema (`<source>_archive` on the source server, ops/archive/) when it existed:
     * its MyISAM tables and journal, dumped under the archive lock (dump-archive.ts). Sealed with
     * `tables` when the backup is encrypted. Absent: no archive, or an older backup.
     */
    archive: archiveSchema.optional(),
    /** Set when chunks are encrypted: then `tables` (names, DDL, checksums, chunk hashes) is sealed on disk. */
    encryption: z.object({ algorithm: z.literal('aes-256-gcm'), keyId: z.string().regex(/^[0-9a-f]{32}$/) }).strict().optional(),
    totals: z.object({ tables: count, rows: count, bytes: count, seconds: z.number().min(0) }).strict(),
    /**
     * The report side's erasure ledger as it stood when the backup was taken (ledger-file.ts): its
     * file, size and SHA-256, and each erasure's id and time (the entry count is their number). In
     * clear even when the backup is encrypted (bound to the sealed table list): `backup list` marks
     * backups holding forgotten subjects without a key. Absent: an empty ledger, or an older backup.
     */
    erasureLedger: z
      .object({
        file: z.string().regex(/^erasure-ledger\.jsonl(\.gz)?$/, 'must be erasure-ledger.jsonl[.gz]'),
        bytes: count,
        sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits'),
        erasures: z.array(z.object({ id: z.string().min(1).max(64), erasedAt: z.string().max(64) }).strict()).max(10_000_000),
      })
      .strict()
      .optional(),
  })
  .strict();

const base64 = (max: number) => z.string().max(max).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64');

/**
 * The manifest as written: an encrypted backup keeps `tables` in `sealed` (AES-256-GCM, the rest of
 * the manifest as additional data, so no field can be changed either); see manifest-seal.ts,
 * which opens and seals it.
 */
export const manifestFileSchema = manifestSchema.extend({
  tables: manifestSchema.shape.tables.optional(),
  archive: archiveSchema.optional(),
  sealed: z.object({ iv: base64(16), tag: base64(24), data: base64(512 * 1024 * 1024) }).strict().optional(),
});

/** A backup's manifest, opened (decrypted when sealed). */
export type Manifest = z.infer<typeof manifestSchema>;
/**
 * A manifest as written on disk: with `tables`, or with them in `sealed` when the backup is
 * encrypted.
 */
export type ManifestFile = z.infer<typeof manifestFileSchema>;
/** One table of a manifest: its DDL, columns and chunks. */
export type ManifestTable = z.infer<typeof tableSchema>;
/** The archive part of a manifest. */
export type ManifestArchive = z.infer<typeof archiveSchema>;
/** One chunk file of a manifest table. */
export type ManifestChunk = z.infer<typeof chunkSchema>;
/** One block of lines of a chunk (`blocks` in the manifest). */
export type ChunkBlock = z.infer<typeof blockSchema>;
