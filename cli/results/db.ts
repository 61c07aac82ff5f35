/** `--json` results of `db start|stop|status|url` (cli/commands/db.ts). */
import { z } from 'zod';
import { commandDocument, isoTime } from './common.js';

/** The embedded server's state as `db start` and `db status` show it. */
const serverState = {
  running: z.boolean(),
  url: z.string().optional(),
  pid: z.int().optional(),
  port: z.int().optional(),
  flavor: z.enum(['mysql', 'mariadb']).optional(),
  version: z.string().optional(),
  startedAt: isoTime.optional(),
};

/** `db start`. */
export const dbStartResult = commandDocument({ ...serverState, running: z.literal(true), url: z.string(), reused: z.boolean() }, 'dualpipe db start --json');
/** `db stop`. */
export const dbStopResult = commandDocument({ stopped: z.boolean() }, 'dualpipe db stop --json');
/** `db status`. */
export const dbStatusResult = commandDocument({ ...serverState, serverDir: z.string(), stateDirFrom: z.string() }, 'dualpipe db status --json');
/** `db url`. */
export const dbUrlResult = commandDocument({ url: z.string() }, 'dualpipe db url --json');
