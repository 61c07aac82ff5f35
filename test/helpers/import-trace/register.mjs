// Preloaded with `node --import <this file>`: records every module URL the program resolves
// (ESM imports, static and dynamic) into the file named by DUALPIPE_IMPORT_TRACE, one per line.
// test/cli/startup-imports.test.ts uses it to prove cheap commands load no heavy library code.
import { register } from 'node:module';

register('./trace-hooks.mjs', import.meta.url);
