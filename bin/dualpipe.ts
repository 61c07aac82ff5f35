#!/usr/bin/env node
import { giveHeapHeadroom } from '../cli/heap-headroom.js';
import { processIo } from '../cli/io.js';
import { runCli } from '../cli/run-cli.js';

giveHeapHeadroom();
process.exitCode = await runCli(process.argv.slice(2), processIo);
