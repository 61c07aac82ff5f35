/** Flag parsers shared by several commands: a bad value is a usage error (exit 2) with a hint. */
import { UsageError } from '../api/light.js';

/** A parser for a whole number from 1 to `max`, naming `flag` when the value is not one. */
export function parsePositiveInt(flag: string, max: number): (text: string) => number {
  return (text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new UsageError(`invalid ${flag} "${text}"`, { hint: `use a whole number from 1 to ${max}` });
    }
    return n;
  };
}

/** A comma-separated list, trimmed, without empty items. */
export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A repeatable flag: each use adds one value. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
