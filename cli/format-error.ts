import { DualpipeError, redactSecrets } from '../api/light.js';

/** What is wrong (on one line) and what to do, secrets redacted: shared by the text line and `--json`'s `error`. */
export function errorParts(error: unknown): { message: string; hint: string | null } {
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof DualpipeError && error.hint ? redactSecrets(error.hint) : null;
  return { message: redactSecrets(message.replace(/\s*\n\s*/g, ' ')), hint };
}

/** One clear line: what is wrong, then what to do. The stack only in debug mode. */
export function formatError(error: unknown, debug: boolean): string {
  const { message, hint } = errorParts(error);
  let text = `dualpipe: ${message}${hint ? ` — ${hint}` : ''}`;
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
