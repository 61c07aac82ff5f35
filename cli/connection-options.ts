/**
 * The MySQL-client connection flags (`-u -p -P -S -D --host --port --user --password --socket
 * --database --ssl-mode --ssl-ca --ssl-cert --ssl-key`, the `--report-*` twins, `--defaults-file` /
 * `--defaults-extra-file` / `--no-defaults`, `--login-path` / `--no-login-paths`), added to
 * every command that does not define the flag itself (`grants --host` is an account pattern, `db
 * start --port` the embedded server's port). They live on each command rather than the program:
 * commander lets a program option swallow the same flag after a subcommand's name.
 *
 * `-h` stays help (commander's and our existing habit); `-?` also shows help, as in MySQL's tools,
 * and the host has no short form. As in MySQL's client, `-p`/`--password` without an attached value
 * (`-pSECRET`, `--password=SECRET`) asks for the password: it never takes the next argument.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import type { ConnectionFlags } from '../api/index.js';

/** Marks a bare `-p`/`--password` (rewritten from argv before commander sees it). */
export const PASSWORD_PROMPT_FLAG = '--password-prompt';

const ours = new WeakSet<Option>();

function port(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new InvalidArgumentError('use a port between 1 and 65535');
  return n;
}

function definitions(): Option[] {
  return [
    new Option('--host <host>', 'source server host (instead of a --source URL)'),
    new Option('-P, --port <port>', 'source server TCP port').argParser(port),
    new Option('-u, --user <user>', 'source user'),
    new Option('-p, --password [password]', 'source password; bare -p asks for it on the terminal (-pSECRET / --password=SECRET also work, with a warning)'),
    new Option('-S, --socket <path>', 'source Unix socket'),
    new Option('-D, --database <schema>', 'source schema (instead of the URL path; default crm)'),
    new Option('--ssl-mode <mode>', 'source TLS: disabled, preferred, required, verify-ca, verify-identity'),
    new Option('--ssl-ca <file>', 'source TLS CA certificate (alone: verify-ca)'),
    new Option('--ssl-cert <file>', 'source TLS client certificate (with --ssl-key)'),
    new Option('--ssl-key <file>', 'source TLS client key (with --ssl-cert)'),
    new Option('--report-host <host>', 'report server host (default: the source server)'),
    new Option('--report-port <port>', 'report server TCP port').argParser(port),
    new Option('--report-user <user>', 'report user'),
    new Option('--report-password [password]', 'report password; bare asks for it on the terminal'),
    new Option('--report-socket <path>', 'report Unix socket'),
    new Option('--report-database <schema>', 'report schema (default <source schema>_report)'),
    new Option('--report-ssl-mode <mode>', 'report TLS mode (default: as the source)'),
    new Option('--report-ssl-ca <file>', 'report TLS CA certificate'),
    new Option('--report-ssl-cert <file>', 'report TLS client certificate'),
    new Option('--report-ssl-key <file>', 'report TLS client key'),
    new Option('--defaults-file <file>', 'read only this MySQL option file'),
    new Option('--defaults-extra-file <file>', 'read this option file after the system ones, before ~/.my.cnf'),
    new Option('--no-defaults', 'read no MySQL option files (~/.my.cnf, /etc/my.cnf, ~/.mylogin.cnf, …)'),
    new Option('--login-path <name>', 'read this login path of ~/.mylogin.cnf (mysql_config_editor) as [client]'),
    new Option('--no-login-paths', 'do not read ~/.mylogin.cnf'),
    new Option(PASSWORD_PROMPT_FLAG).hideHelp(),
    new Option('--report-password-prompt').hideHelp(),
  ];
}

/** Adds the connection flags to `cmd` and, recursively, to its subcommands (skipping flags they define). */
export function addConnectionOptions(cmd: Command): void {
  if (cmd.commands.length > 0) {
    for (const sub of cmd.commands) addConnectionOptions(sub);
    return;
  }
  for (const option of definitions()) {
    const taken = cmd.options.some((o) => o.long === option.long || (option.short && o.short === option.short));
    if (taken) continue;
    ours.add(option);
    cmd.addOption(option);
  }
}

/** The connection flags given to `cmd` (only the options this file added), and which passwords to ask for. */
export function connectionFlagsOf(cmd: Command): {
  flags: ConnectionFlags;
  prompt: { source: boolean; report: boolean };
  /** A password was typed into argv (`-pSECRET`, `--password=SECRET`). */
  typedPassword: boolean;
} {
  const values = cmd.opts<Record<string, unknown>>();
  const get = (name: string): unknown => {
    const option = cmd.options.find((o) => o.attributeName() === name);
    return option && ours.has(option) ? values[name] : undefined;
  };
  const text = (name: string): string | undefined => {
    const v = get(name);
    return typeof v === 'string' ? v : undefined;
  };
  const num = (name: string): number | undefined => {
    const v = get(name);
    return typeof v === 'number' ? v : undefined;
  };
  const tlsOf = (prefix: string) => {
    const t = { mode: text(`${prefix}Mode`), ca: text(`${prefix}Ca`), cert: text(`${prefix}Cert`), key: text(`${prefix}Key`) };
    return Object.values(t).some((v) => v !== undefined) ? t : undefined;
  };
  const flags: ConnectionFlags = {
    host: text('host'),
    port: num('port'),
    user: text('user'),
    password: text('password'),
    socket: text('socket'),
    database: text('database'),
    tls: tlsOf('ssl'),
    reportHost: text('reportHost'),
    reportPort: num('reportPort'),
    reportUser: text('reportUser'),
    reportPassword: text('reportPassword'),
    reportSocket: text('reportSocket'),
    reportDatabase: text('reportDatabase'),
    reportTls: tlsOf('reportSsl'),
    loginPath: text('loginPath'),
    // commander sets `loginPaths: false` for --no-login-paths.
    noLoginPaths: get('loginPaths') === false,
    defaultsFile: text('defaultsFile'),
    defaultsExtraFile: text('defaultsExtraFile'),
    // commander sets `defaults: false` for --no-defaults (and true by default).
    noDefaults: get('defaults') === false,
  };
  const prompt = {
    source: get('passwordPrompt') === true || get('password') === true,
    report: get('reportPasswordPrompt') === true || get('reportPassword') === true,
  };
  return { flags, prompt, typedPassword: flags.password !== undefined || flags.reportPassword !== undefined };
}

/** The program's own options that take a value (so their value is not taken for a command name). */
const PROGRAM_VALUE_OPTIONS = new Set(['--source', '--report', '--config', '--log-file', '--state-dir', '--log-level']);

/** Long and short names of the connection flags, and whether each takes a separate value. */
function connectionFlagNames(): Map<string, boolean> {
  const names = new Map<string, boolean>();
  for (const o of definitions()) {
    const takesValue = o.required; // `<value>`; `[password]` takes only an attached value
    if (o.long) names.set(o.long, takesValue);
    if (o.short) names.set(o.short, takesValue);
  }
  return names;
}

/**
 * Moves connection flags written before the command name (`dualpipe -u bob -p sync`, as DBAs type
 * `mysql -u bob -p db`) to the end, where the command defines them; other leading options stay.
 */
function moveLeadingConnectionFlags(argv: readonly string[]): string[] {
  const names = connectionFlagNames();
  const kept: string[] = [];
  const moved: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '--') break;
    const long = arg.startsWith('--') ? arg.split('=')[0]! : undefined;
    const short = long === undefined ? arg.slice(0, 2) : undefined;
    const name = long ?? short!;
    if (names.has(name)) {
      moved.push(arg);
      const attached = long ? arg.includes('=') : arg.length > 2;
      if (names.get(name) && !attached && i + 1 < argv.length) moved.push(argv[++i]!);
    } else {
      kept.push(arg);
      if (PROGRAM_VALUE_OPTIONS.has(name) && !arg.includes('=') && i + 1 < argv.length) kept.push(argv[++i]!);
    }
  }
  if (moved.length === 0) return [...argv];
  const rest = argv.slice(i);
  const dashes = rest.indexOf('--');
  return dashes < 0 ? [...kept, ...rest, ...moved] : [...kept, ...rest.slice(0, dashes), ...moved, ...rest.slice(dashes)];
}

/**
 * Rewrites argv for MySQL habits before commander parses it: `-?` → `--help`; a bare `-p` or
 * `--password` (no attached value) → the prompt flag, so it never swallows the next argument;
 * connection flags before the command name move after it.
 */
export function rewriteMysqlArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let rest = false;
  for (const arg of argv) {
    if (rest || arg === '--') {
      rest = true;
      out.push(arg);
    } else if (arg === '-?') out.push('--help');
    else if (arg === '-p' || arg === '--password') out.push(PASSWORD_PROMPT_FLAG);
    else if (arg === '--report-password') out.push('--report-password-prompt');
    else out.push(arg);
  }
  return moveLeadingConnectionFlags(out);
}
