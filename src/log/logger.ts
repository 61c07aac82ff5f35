import pino from 'pino';

/** The logger shape the library accepts: pino fits, and so does a test fake. */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

/** Paths pino blanks out wherever they appear, so a target or config object never leaks a secret. */
export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'target.password',
  'source.password',
  'report.password',
  'key',
  '*.key',
  'url',
  '*.url',
];

/** JSON logs on stderr (or on `destination`, e.g. a `--log-file`); pretty when stderr is a terminal. */
export function createLogger(level: string, options: { pretty?: boolean; destination?: pino.DestinationStream } = {}): pino.Logger {
  // `time` as ISO 8601 with Z (the same format as every --json time; issue #14), not epoch ms.
  const base = { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime };
  if (options.destination) return pino(base, options.destination);
  const pretty = options.pretty ?? process.stderr.isTTY === true;
  if (pretty) {
    return pino(
      base,
      pino.transport({
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, ignore: 'pid,hostname' },
      }),
    );
  }
  return pino(base, pino.destination({ fd: 2, sync: true }));
}

/** A logger that drops everything. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
