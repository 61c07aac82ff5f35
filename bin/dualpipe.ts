#!/usr/bin/env node
import { processIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/run-cli.js';

process.exitCode = await runCli(process.argv.slice(2), processIo);
