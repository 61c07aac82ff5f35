/** Which LOAD DATA warnings a restore lets pass (the loaded row count must match as well, load-chunk.ts). */
import { describe, expect, it } from 'vitest';
import { harmlessLoadWarnings } from '../../../backup/restore/load-warnings.js';

const enumIndex = { Code: 1265, Message: "Data truncated for column 'e' at row 3" };
const functional = { Code: 3752, Message: "Value is out of range for functional index 'fx' at row 1" };

describe('harmlessLoadWarnings', () => {
  it('passes the ENUM error value loaded by index and a functional key part out of range, alone or together', () => {
    expect(harmlessLoadWarnings([enumIndex], 1, ['e'])).toBe(true);
    expect(harmlessLoadWarnings([functional], 1, undefined)).toBe(true);
    expect(harmlessLoadWarnings([functional, enumIndex], 2, ['e'])).toBe(true);
  });

  it('fails on any other warning, a truncation in a column not loaded by index, or no list to judge', () => {
    expect(harmlessLoadWarnings([{ Code: 1265, Message: "Data truncated for column 'name' at row 1" }], 1, ['e'])).toBe(false);
    expect(harmlessLoadWarnings([enumIndex], 1, undefined)).toBe(false);
    expect(harmlessLoadWarnings([functional, { Code: 1366, Message: 'Incorrect integer value' }], 2, [])).toBe(false);
    expect(harmlessLoadWarnings([], 3, ['e'])).toBe(false);
    expect(harmlessLoadWarnings([functional, functional], 1, [])).toBe(false);
  });
});
