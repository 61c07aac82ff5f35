import { DualpipeError, redactSecrets } from '../api/index.js';

/** One clear line: what is wrong, then what to do. The stack only in debug mode. */
export function formatError(error: unknown, debug: boolean): string {
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof DualpipeError && error.hint ? ` — ${error.hint}` : '';
  let text = `dualpipe: ${redactSecrets(message.replace(/\s*\n\s*/g, ' '))}${hint}`;
  if (debug && error instanceof Error) {
    let e: unknown = error;
    while (e instanceof Error) {
      text += `\n${redactSecrets(e.stack ?? e.message)}`;
      e = e.cause;
      if (e) text += '\ncaused by:';
    }
  }
  return text;
}
