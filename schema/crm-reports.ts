/** The CRM's bundled report definitions: one `rpt_*.sql` file each, beside this module. */
import { fileURLToPath } from 'node:url';

/**
 * The folder of the bundled CRM reports. Found from this file's own place, so it is the same in
 * the source tree (`schema/reports`) and in the compiled package (`dist/schema/reports`, copied
 * there by the build).
 */
export const CRM_REPORTS_DIR: string = fileURLToPath(new URL('./reports/', import.meta.url));
