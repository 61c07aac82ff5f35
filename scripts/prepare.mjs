// npm's "prepare" hook: runs on `npm ci`/`npm install` in a clone and before `npm pack`.
// It builds dist/ with TypeScript when TypeScript is installed (a clone with dev dependencies).
// `npm ci --omit=dev` leaves TypeScript out: then an existing dist/ is used as it is, and a clone
// without dist/ fails here with what to do, instead of a `tsc: not found` or a broken `dualpipe`.
// In an installed tarball (no src/, dist/ shipped) it does nothing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = existsSync(join(root, 'dist', 'bin', 'dualpipe.js'));
const isSourceTree = existsSync(join(root, 'tsconfig.build.json')) && existsSync(join(root, 'src'));

/** The path of TypeScript's tsc script, or undefined when TypeScript is not installed. */
function findTsc() {
  try {
    return createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

if (!isSourceTree) process.exit(0); // an installed package: dist/ came in the tarball
const tsc = findTsc();
if (tsc) {
  // The same steps as `npm run build`, without needing npm on PATH.
  for (const args of [[tsc, '-p', 'tsconfig.build.json'], [join(root, 'scripts', 'copy-assets.mjs')]]) {
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  process.exit(0);
}
if (built) {
  console.error('dualpipe: TypeScript is not installed (dev dependencies omitted); using the existing dist/');
  process.exit(0);
}
console.error(
  [
    'dualpipe: cannot build: dist/ does not exist and TypeScript is not installed',
    '(`npm ci --omit=dev` leaves out the dev dependencies that compile the sources).',
    'Either build once with the dev dependencies, then drop them:',
    '    npm ci && npm run build && npm prune --omit=dev',
    'or install the packed package, which ships dist/:',
    '    npm pack && npm install -g ./dualpipe-<version>.tgz',
  ].join('\n'),
);
process.exit(1);
