import { Command, CommanderError, Option } from 'commander';
import { CheckVerdictError, DualpipeError, ExitCode, exitCodeFor, VERSION } from '../api/light.js';
import { registerArchiveCommand } from './commands/archive.js';
import { registerUnarchiveCommand } from './commands/unarchive.js';
import { registerForgetCommand } from './commands/forget.js';
import { registerBackupCommand } from './commands/backup.js';
import { registerCaptureCommands } from './commands/capture.js';
import { registerCheckCommand } from './commands/check.js';
import { registerDbCommands } from './commands/db.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerGrantsCommand } from './commands/grants.js';
import { registerMigrateCommand } from './commands/migrate.js';
import { registerReportCommands } from './commands/report.js';
import { registerRestoreCommand } from './commands/restore.js';
import { registerSeedCommand } from './commands/seed.js';
import { registerStatusCommand } from './commands/status.js';
import { registerSyncCommands } from './commands/sync.js';
import { registerScheduleCommand } from './commands/schedule.js';
import { addConnectionOptions, connectionFlagsOf, rewriteMysqlArgv } from './connection-options.js';
import type { CliContext, GetContext, GlobalOptions } from './context.js';
import { formatError } from './format-error.js';
import { jsonErrorOf, jsonFailure, jsonSuccess } from './json-output.js';
import type { CliIo } from './io.js';
import { askPassword } from './password-prompt.js';

/** Holds the context of the command being run; set by the preAction hook. */
export interface ContextHolder {
  current: CliContext | undefined;
}

/** Builds the commander program. Each action gets a fresh CliContext through `holder`. */
export function buildProgram(io: CliIo, holder: ContextHolder): Command {
  const program = new Command('dualpipe')
    .description('InnoDB for writes, MyISAM mirrors and report tables for analysts and backups')
    .version(VERSION, '-V, --version')
    .option(
      '--source <url>',
      'source InnoDB schema URL, e.g. mysql://root@127.0.0.1:3306/crm (env DUALPIPE_SOURCE_URL)',
    )
    .option(
      '--report <url>',
      'report MyISAM schema URL (env DUALPIPE_REPORT_URL; default: same server, <source>_report)',
    )
    .option('--config <file>', 'config file (default ./dualpipe.config.json when present)')
    .option('--json', 'print the result as JSON on stdout')
    .option(
      '--log-file <file>',
      'append JSON log lines to this file instead of stderr; reopened on SIGHUP for logrotate (env DUALPIPE_LOG_FILE, config logFile)',
    )
    .option(
      '--state-dir <dir>',
      'local state (the embedded server) (env DUALPIPE_STATE_DIR, config stateDir; default ./.dualpipe when ./.dualpipe/db exists, else $XDG_STATE_HOME/dualpipe or ~/.local/state/dualpipe)',
    )
    .option(
      '--require-tls',
      'refuse any connection that is not encrypted (ssl-mode=required at least; env DUALPIPE_REQUIRE_TLS=1)',
    )
    .addOption(
      new Option('--log-level <level>', 'log level (env DUALPIPE_LOG_LEVEL)').choices([
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    )
    .showSuggestionAfterError(true)
    .addHelpText('after', '\n-? shows help too. Connection: --source URL, or --host/-P/-u/-p/-S, or ~/.my.cnf [client]/[dualpipe] (see README "Connecting").');
  program.hook('preAction', async (_root, action) => {
    const { flags, prompt, typedPassword } = connectionFlagsOf(action);
    if (prompt.source) flags.password = await askPassword('Enter password: ', '--password', io.stderr);
    if (prompt.report) flags.reportPassword = await askPassword('Enter report password: ', '--report-password', io.stderr);
    if (typedPassword) {
      io.stderr.write('dualpipe: warning: a password on the command line can be insecure (other users may see it in the process list); prefer ~/.my.cnf or a bare -p\n');
    }
    // Loaded here, when an action is about to run: the context brings config, logging and mysql2,
    // which `--help` and `--version` never need (test/cli/startup-imports.test.ts holds this).
    const { CliContext } = await import('./context.js');
    holder.current = new CliContext(io, action.optsWithGlobals<GlobalOptions>(), flags);
  });
  const ctx: GetContext = () => holder.current!;
  registerDbCommands(program, ctx);
  registerMigrateCommand(program, ctx);
  registerSeedCommand(program, ctx);
  registerSyncCommands(program, ctx);
  registerScheduleCommand(program, ctx);
  registerReportCommands(program, ctx);
  registerCaptureCommands(program, ctx);
  registerBackupCommand(program, ctx);
  registerRestoreCommand(program, ctx);
  registerStatusCommand(program, ctx);
  registerCheckCommand(program, ctx);
  registerDoctorCommand(program, ctx);
  registerGrantsCommand(program, ctx);
  registerArchiveCommand(program, ctx);
  registerUnarchiveCommand(program, ctx);
  registerForgetCommand(program, ctx);
  addConnectionOptions(program);
  const quiet = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: () => {} });
    for (const sub of cmd.commands) quiet(sub);
  };
  quiet(program);
  return program;
}

/** Writes the final error line to the --log-file when one is set and can be opened (stderr has it anyway). */
function logToFile(ctx: CliContext | undefined, line: string, exitCode: number): void {
  try {
    if (ctx?.logFilePath) ctx.logger.error({ exitCode }, line);
  } catch {
    // A bad config or an unopenable log file is the error already on stderr.
  }
}

/** Runs the CLI with an argv array (without node and script) and returns the exit code. Never throws. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const holder: ContextHolder = { current: undefined };
  const program = buildProgram(io, holder);
  // Before the context exists (a usage error while parsing), --json is read off the argv itself.
  const json = () => holder.current?.json ?? argv.includes('--json');
  try {
    await program.parseAsync(rewriteMysqlArgv(argv), { from: 'user' });
    if (holder.current?.json) io.stdout.write(jsonSuccess(holder.current.jsonResult?.value));
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
      if (error.code === 'commander.help') return ExitCode.ok;
      const message = error.message.replace(/^error:\s*/i, '').replace(/\n+/g, ' ');
      if (json()) {
        const e = { code: 'USAGE', message, hint: 'see `dualpipe --help`', exitCode: ExitCode.usage };
        io.stdout.write(jsonFailure(e, holder.current?.jsonResult?.value));
      }
      io.stderr.write(`dualpipe: ${message} (see \`dualpipe --help\`)\n`);
      return ExitCode.usage;
    }
    if (json()) io.stdout.write(jsonFailure(jsonErrorOf(error), holder.current?.jsonResult?.value));
    // `status --check` printed its verdict line on stdout: the exit code is all that is left to say.
    if (error instanceof CheckVerdictError) return exitCodeFor(error);
    const debug = (holder.current?.logLevel ?? io.env.DUALPIPE_LOG_LEVEL) === 'debug';
    const line = formatError(error, debug);
    io.stderr.write(`${line}\n`);
    // The failure goes into the log file too (cron mails stderr; the file keeps the whole story).
    logToFile(holder.current, line, exitCodeFor(error));
    if (!(error instanceof DualpipeError) && !debug) {
      io.stderr.write('dualpipe: this looks like a bug; rerun with --log-level debug for the stack trace\n');
    }
    return exitCodeFor(error);
  }
}
