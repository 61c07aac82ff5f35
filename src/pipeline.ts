/**
 * The pipeline: the two sides dualpipe joins. The source is the CRM's InnoDB schema, which takes
 * every write; the report side holds its MyISAM mirrors, the report tables and dualpipe's own
 * bookkeeping (run history, shadow set, journal). Every operation takes one `Pipeline` instead of
 * five loose fields, built once from a resolved configuration.
 */
import type { ResolvedConfig } from './config/resolve-config.js';
import type { ConnectionTarget, SqlConnector } from './db/connection.js';
import { createConnector } from './db/mysql-driver.js';

/** The source/report pair and their schema names. */
export interface Pipeline {
  /** The InnoDB server of the CRM (restores write here). */
  readonly source: SqlConnector;
  /** The server of the report schema (mirrors, reports, run history; backups read here). */
  readonly report: SqlConnector;
  /** The CRM's InnoDB schema. */
  readonly sourceSchema: string;
  /** The schema of the MyISAM mirrors and report tables. */
  readonly reportSchema: string;
  /**
   * Both schemas live on one server: copies run server-side (`INSERT … SELECT`) instead of
   * streaming rows through Node.
   */
  readonly sameServer: boolean;
}

/** The parts of a resolved configuration a pipeline is built from. */
export type PipelineConfig = Pick<ResolvedConfig, 'source' | 'report' | 'sameServer'>;

/**
 * Builds the pipeline of a resolved configuration. Connectors are lazy: nothing connects until an
 * operation opens a session. `connect` is replaceable for callers that wrap the driver.
 */
export function createPipeline(
  config: PipelineConfig,
  connect: (target: ConnectionTarget) => SqlConnector = createConnector,
): Pipeline {
  return {
    source: connect(config.source),
    report: connect(config.report),
    sourceSchema: config.source.database,
    reportSchema: config.report.database,
    sameServer: config.sameServer,
  };
}
