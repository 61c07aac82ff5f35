// Copies non-TypeScript assets (report SQL files) next to the compiled output so the
// installed CLI finds them without the source tree.
import { cpSync, mkdirSync } from 'node:fs';

mkdirSync('dist/schema/reports', { recursive: true });
cpSync('schema/reports', 'dist/schema/reports', { recursive: true });
