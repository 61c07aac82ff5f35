/** The CLI's `status` action loads this (api/light.ts explains why): the status read alone (api/ops.ts brings the sync along, through check-tables). */
export { pipelineStatus } from '../ops/read-status.js';
