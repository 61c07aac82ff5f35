export { contentChecksum, contentChecksumSql } from './content-checksum.js';
export { loadDataSql } from './load-data-sql.js';
export { MANIFEST_FILE, MANIFEST_FORMAT, type Manifest, type ManifestTable, parseManifest } from './manifest.js';
export { decodeRow, encodeRow } from './row-codec.js';
export { type BackupOptions, type BackupResult, runBackup } from './run-backup.js';
