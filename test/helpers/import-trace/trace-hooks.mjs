// Module customization hooks (they run on Node's loader thread): append each resolved URL to
// the DUALPIPE_IMPORT_TRACE file. Only ESM resolution passes here; a CommonJS package's own
// require() calls do not, which is fine: its entry, imported from our ESM code, is recorded.
import { appendFileSync } from 'node:fs';

/** Resolves as usual, then records the URL. */
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const file = process.env.DUALPIPE_IMPORT_TRACE;
  if (file) appendFileSync(file, `${result.url}\n`);
  return result;
}
