/**
 * `dualpipe capture install|remove|status` over a pipeline: each opens one session on the source
 * and works on the source schema (the triggers and the change log live beside the CRM's tables).
 */
import type { SqlConnection } from '../src/db/connection.js';
import { withSession } from '../src/db/with-session.js';
import type { Pipeline } from '../src/pipeline.js';
import { type CaptureStatus, installCapture, readCapture, removeCapture } from '../sync/capture/capture.js';

/** The side capture works on: the source and its schema. */
export type CaptureSide = Pick<Pipeline, 'source' | 'sourceSchema'>;

/** One session on the source, in the source schema. */
function onSource<T>(side: CaptureSide, fn: (conn: SqlConnection, schema: string) => Promise<T>): Promise<T> {
  return withSession(side.source, (conn) => fn(conn, side.sourceSchema), {});
}

/** Creates the change log and the capture triggers on every source table (again: replaces them). */
export function installChangeCapture(side: CaptureSide): Promise<CaptureStatus> {
  return onSource(side, installCapture);
}

/** Drops the capture triggers and the change log; incremental syncs fall back to full ones. */
export function removeChangeCapture(side: CaptureSide): Promise<{ triggers: number }> {
  return onSource(side, removeCapture);
}

/** Whether capture is installed, on which tables, and how many changes wait for a sync. */
export function changeCaptureStatus(side: CaptureSide): Promise<CaptureStatus> {
  return onSource(side, (conn, schema) => readCapture(conn, schema));
}
