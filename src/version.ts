import { readFileSync } from 'node:fs';

function readVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      return (JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      // not at this level: try the next one
    }
  }
  return '0.0.0';
}

/** The package version, read once from package.json (works from src/ and dist/src/). */
export const VERSION = readVersion();
