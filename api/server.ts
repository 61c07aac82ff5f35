/** The CLI's `db` actions load this (api/light.ts explains why): the embedded server. */
export { embeddedServerStatus, embeddedUrl, startEmbeddedServer, stopEmbeddedServer } from '../src/server/embedded-server.js';
export { mysqlCacheDir } from '../src/server/fetch-mysql.js';
