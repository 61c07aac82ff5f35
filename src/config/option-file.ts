import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';

/** The `[client]` settings we honour from a MySQL option file (`~/.my.cnf` style). */
export interface OptionFileClient {
  user?: string;
  password?: string;
  host?: string;
  port?: number;
  socket?: string;
}

/** Parses the `[client]` (and `[mysql]`/`[mariadb-client]`) groups of an option file's text. */
export function parseOptionFile(text: string): OptionFileClient {
  const out: OptionFileClient = {};
  let inClient = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const group = /^\[([^\]]+)\]$/.exec(line);
    if (group) {
      inClient = ['client', 'mysql', 'mariadb-client', 'client-mariadb'].includes(
        group[1]!.trim().toLowerCase(),
      );
      continue;
    }
    if (!inClient) continue;
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq).trim().toLowerCase().replaceAll('_', '-');
    let value = line.slice(eq + 1).trim();
    if ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'"))) {
      value = value.slice(1, -1);
    }
    if (key === 'user') out.user = value;
    else if (key === 'password') out.password = value;
    else if (key === 'host') out.host = value;
    else if (key === 'port') out.port = Number(value);
    else if (key === 'socket') out.socket = value;
  }
  return out;
}

/**
 * Reads and parses the option file at `path`; a file that cannot be read is a ConfigError on
 * `optionFile`.
 */
export function readOptionFile(path: string): OptionFileClient {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read option file ${path}: ${(error as Error).message}`, {
      field: 'optionFile',
      cause: error,
      hint: 'fix the path in optionFile / DUALPIPE_OPTION_FILE',
    });
  }
  return parseOptionFile(text);
}
