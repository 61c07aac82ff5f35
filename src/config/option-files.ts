/**
 * Which MySQL option files are read, in which order, and the options they set for chosen groups.
 * Pure: every file access goes through `OptionFileIo`, so tests pass a map of files.
 *
 * Order (as the MySQL 8/9 and MariaDB clients on Unix; later files override earlier ones):
 *   /etc/my.cnf, /etc/mysql/my.cnf, $MYSQL_HOME/my.cnf, the --defaults-extra-file, ~/.my.cnf.
 * `--defaults-file` reads only that file; `--no-defaults` reads none. Then, unless `--no-defaults`
 * or `--no-login-paths`, MySQL's login path file `~/.mylogin.cnf` (or $MYSQL_TEST_LOGIN_FILE), whose
 * `--login-path` group counts as `[client]` (see login-path-file.ts). `!includedir` reads only `*.cnf` files, in name order (MySQL
 * reads `*.cnf` on Unix; MariaDB adds `*.ini` only on Windows).
 * A world-writable file is skipped with a warning, as MySQL does ("World-writable config file … is
 * ignored"): anyone could point a client at their server to catch its password.
 */
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { decodeLoginPathFile } from './login-path-file.js';
import { canonicalOptionName, parseOptionText } from './option-file-syntax.js';

/** The file access option-file reading needs; `undefined` when the file or folder does not exist. */
export interface OptionFileIo {
  readFile(path: string): string | undefined;
  /** Permission bits (e.g. 0o644) of an existing file, or undefined. */
  mode(path: string): number | undefined;
  /** The entry names of a folder, or undefined. */
  listDir(path: string): string[] | undefined;
  /** The bytes of a file (for the obfuscated login path file); without it no login path file is read. */
  readBytes?(path: string): Uint8Array | undefined;
}

/** What chooses the files: the flags and where the home folder is. */
export interface OptionFileChoice {
  defaultsFile?: string | undefined;
  defaultsExtraFile?: string | undefined;
  noDefaults?: boolean | undefined;
  /** $HOME; without it ~/.my.cnf is not read (as MySQL's client). */
  home?: string | undefined;
  /** $MYSQL_HOME, when set. */
  mysqlHome?: string | undefined;
  /** $MYSQL_TEST_LOGIN_FILE, when set (else ~/.mylogin.cnf). */
  loginFile?: string | undefined;
  /** --login-path: this group of the login path file is read as `[client]` (default `client`). */
  loginPath?: string | undefined;
  /** --no-login-paths: skip the login path file. */
  noLoginPaths?: boolean | undefined;
}

/** One option as read: its canonical name, its value (undefined for a bare key), its group and file. */
export interface OptionEntry {
  group: string;
  key: string;
  value: string | undefined;
  file: string;
}

/** The files read in order, their options in file order, and warnings for the user. */
export interface OptionFileRead {
  files: string[];
  entries: OptionEntry[];
  warnings: string[];
}

/** The files read by default, in order, each with whether it must exist. */
export function optionFileList(choice: OptionFileChoice): { path: string; required: boolean }[] {
  if (choice.noDefaults) return [];
  if (choice.defaultsFile) return [{ path: choice.defaultsFile, required: true }];
  const list = [
    { path: '/etc/my.cnf', required: false },
    { path: '/etc/mysql/my.cnf', required: false },
  ];
  if (choice.mysqlHome) list.push({ path: join(choice.mysqlHome, 'my.cnf'), required: false });
  if (choice.defaultsExtraFile) list.push({ path: choice.defaultsExtraFile, required: true });
  if (choice.home) list.push({ path: join(choice.home, '.my.cnf'), required: false });
  return list;
}

/** Includes nest at most this deep (MySQL stops at 10 too), which also ends include loops. */
const MAX_DEPTH = 10;

function readOne(io: OptionFileIo, path: string, depth: number, out: OptionFileRead): void {
  const text = io.readFile(path);
  if (text === undefined) return;
  const mode = io.mode(path);
  // MySQL fact: a world-writable option file is ignored (mysys my_default.cc, is_file_world_writable).
  if (mode !== undefined && (mode & 0o002) !== 0) {
    out.warnings.push(`World-writable option file ${path} is ignored (chmod o-w it)`);
    return;
  }
  out.files.push(path);
  let group = '';
  for (const line of parseOptionText(text, path)) {
    if (line.kind === 'group') group = line.name;
    else if (line.kind === 'option') out.entries.push({ group, key: line.key, value: line.value, file: path });
    else if (depth >= MAX_DEPTH) out.warnings.push(`option file ${path}: includes nested too deep, ${line.path} skipped`);
    else if (line.kind === 'include') readOne(io, resolve(dirname(path), line.path), depth + 1, out);
    else {
      const dir = resolve(dirname(path), line.path);
      const names = (io.listDir(dir) ?? []).filter((n) => n.endsWith('.cnf')).sort();
      for (const name of names) readOne(io, join(dir, name), depth + 1, out);
    }
  }
}

/** Reads the chosen option files with their includes; a missing --defaults-file is a ConfigError. */
export function readOptionFiles(choice: OptionFileChoice, io: OptionFileIo): OptionFileRead {
  const out: OptionFileRead = { files: [], entries: [], warnings: [] };
  for (const { path, required } of optionFileList(choice)) {
    if (required && io.readFile(path) === undefined) {
      throw new ConfigError(`cannot read option file ${path}`, {
        field: 'optionFile',
        hint: 'fix the path given to --defaults-file / --defaults-extra-file / DUALPIPE_OPTION_FILE',
      });
    }
    readOne(io, path, 0, out);
  }
  readLoginPathFile(choice, io, out);
  return out;
}

/** The login path file to read, or undefined (--no-defaults, --no-login-paths, or no home). */
export function loginPathFileOf(choice: OptionFileChoice): string | undefined {
  if (choice.noDefaults || choice.noLoginPaths) return undefined;
  if (choice.loginFile) return choice.loginFile;
  return choice.home ? join(choice.home, '.mylogin.cnf') : undefined;
}

function readLoginPathFile(choice: OptionFileChoice, io: OptionFileIo, out: OptionFileRead): void {
  const path = loginPathFileOf(choice);
  // --no-defaults / --no-login-paths switch the file off, --login-path with it.
  if (!path) return;
  const bytes = io.readBytes ? io.readBytes(path) : undefined;
  if (bytes === undefined) {
    if (choice.loginPath && choice.loginPath !== 'client') {
      throw new ConfigError(`--login-path ${choice.loginPath}: there is no login path file (${path})`, {
        field: 'loginPath',
        hint: 'create it with `mysql_config_editor set --login-path=NAME …`, or drop --login-path',
      });
    }
    return;
  }
  const mode = io.mode(path);
  if (mode !== undefined && (mode & 0o002) !== 0) {
    out.warnings.push(`World-writable login path file ${path} is ignored (chmod 600 it)`);
    return;
  }
  out.files.push(path);
  const wanted = (choice.loginPath ?? 'client').toLowerCase();
  let group = '';
  let found = wanted === 'client';
  for (const line of parseOptionText(decodeLoginPathFile(bytes, path), path)) {
    if (line.kind === 'group') {
      group = line.name === wanted ? 'client' : line.name;
      found ||= line.name === wanted;
    } else if (line.kind === 'option') out.entries.push({ group, key: line.key, value: line.value, file: path });
  }
  if (!found) {
    throw new ConfigError(`--login-path ${choice.loginPath}: no such login path in ${path}`, {
      field: 'loginPath',
      hint: 'list them with `mysql_config_editor print --all`',
    });
  }
}

/**
 * The last value of each option in the given groups, in file order (so a later file, or a later
 * group in one file, overrides an earlier one, as MySQL's client does). Bare keys map to `''`.
 */
export function optionsForGroups(read: OptionFileRead, groups: readonly string[]): Map<string, string> {
  const wanted = new Set(groups.map((g) => g.toLowerCase()));
  const out = new Map<string, string>();
  for (const e of read.entries) if (wanted.has(e.group)) out.set(canonicalOptionName(e.key), e.value ?? '');
  return out;
}
