import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { OptionFileIo } from './option-files.js';

/** Reads option files from the real file system; a file or folder that cannot be read counts as absent. */
export const nodeOptionFileIo: OptionFileIo = {
  readFile(path) {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  mode(path) {
    try {
      return statSync(path).mode & 0o777;
    } catch {
      return undefined;
    }
  },
  readBytes(path) {
    try {
      return readFileSync(path);
    } catch {
      return undefined;
    }
  },
  listDir(path) {
    try {
      return readdirSync(path);
    } catch {
      return undefined;
    }
  },
};
