/**
 * The shape of a torture regression case (regressions.test.ts) and the helpers its case lists share.
 */
import type { TortureScript } from './run-case.js';
import type { ServerFeatures } from './server-features.js';

/** A case, or its form per server; `refused`: the run must end in a refusal by name. */
export type Case = TortureScript & { refused?: boolean };

/** The table options of most cases. */
export const T = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

/** Tamper picks (tamper.ts): the n-th candidate over tables in name order, columns in order. */
export const script = (s: Partial<TortureScript> & { ddl: string[] }): TortureScript => ({ load: [], steps: [], chunkRows: 3, tamper: 1, ...s });

/** A named case: fixed, or its form per server (a function of the probed features). */
export type NamedCase = [string, Case | ((f: ServerFeatures) => Case)];

