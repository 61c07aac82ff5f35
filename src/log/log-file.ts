/**
 * `--log-file`: JSON log lines appended to a file that logrotate can rotate. A short cron run opens
 * the file afresh each time, so rotating by rename (logrotate's default `create`) just works; the
 * long-running `schedule` reopens it on SIGHUP (logrotate's `postrotate … kill -HUP`), and
 * `copytruncate` works too because the file is opened for appending (O_APPEND writes land at the
 * new end after a truncate).
 */
import pino from 'pino';
import { FileAccessError } from '../errors.js';

/** An open log file: the stream pino writes to, reopened by `reopen()` after a rotation. */
export interface LogFile {
  path: string;
  stream: pino.DestinationStream;
  /** Opens the path again (the old file was renamed away); lines written meanwhile are not lost. */
  reopen(): void;
}

const open = new Set<LogFile>();
let hupHandler: (() => void) | undefined;

/**
 * Opens `path` for appending (creating the file, not its folder), and reopens it on SIGHUP. The
 * folder must exist: a missing one is refused, like a missing backup target, and Node's recursive
 * mkdir spins forever under /proc (`--log-file /proc/nope/x.log` hung at full CPU).
 */
export function openLogFile(path: string): LogFile {
  // sync: a line is on disk before the process exits, as with the stderr logger (fd 2, sync).
  let dest: ReturnType<typeof pino.destination>;
  try {
    dest = pino.destination({ dest: path, append: true, mkdir: false, sync: true });
  } catch (error) {
    throw new FileAccessError(path, `cannot open the log file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, {
      cause: error,
      hint: 'check --log-file: its folder must exist and be writable by this user',
    });
  }
  const file: LogFile = { path, stream: dest, reopen: () => dest.reopen() };
  open.add(file);
  if (!hupHandler) {
    // One handler for every open file: SIGHUP's default action would end the process.
    hupHandler = () => {
      for (const f of open) f.reopen();
    };
    process.on('SIGHUP', hupHandler);
  }
  return file;
}
