/**
 * Lets the CLI's heap grow by V8's largest factor after each full collection, instead of the factor
 * V8 derives from its recent GC speed.
 *
 * Why: a dumping dualpipe process keeps a small live heap (about 17 MB) while hundreds of megabytes
 * of row buffers pass through it off-heap. V8 counts off-heap memory allocated since the last
 * mark-compact against the old generation's limit, and derives that limit from the small live
 * size. An encrypted backup at scale 1 (its AES-GCM output buffers are allocated by Node's C++ side)
 * ran a full mark-compact every 50 ms: 61 of them, against 5 for the plain backup, and 5.9 CPU
 * seconds against 3.8. With the factor at 4 it ran 7. The figures are in the closing note of #19 and
 * bench/results/backup-encrypt-ab-*. The factor is the largest V8 itself picks for a
 * fast-allocating heap; `--max-old-space-size` still caps the heap.
 *
 * `heap_growing_percent` is read at every limit computation, so setting it at startup takes effect.
 * Only the CLI process sets it: a program using the library keeps its own heap settings.
 */
import { setFlagsFromString } from 'node:v8';

/** The V8 flag to set (300: grow to 4x), or undefined when the user's node options already choose one. */
export function heapHeadroomFlag(nodeOptions: string, execArgv: readonly string[]): string | undefined {
  const chosen = [nodeOptions, ...execArgv].some((o) => /heap[-_]growing[-_]percent/.test(o));
  return chosen ? undefined : '--heap-growing-percent=300';
}

/** Sets the flag for this process (see the file header). */
export function giveHeapHeadroom(): void {
  const flag = heapHeadroomFlag(process.env.NODE_OPTIONS ?? '', process.execArgv);
  if (flag) setFlagsFromString(flag);
}
