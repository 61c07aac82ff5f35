import type { Command } from 'commander';
import type { GrantsResult } from '../../api/index.js';
import { parseRoles, passwordEnv, ROLES, UsageError } from '../../api/light.js';
import { parseCaptureMethod } from '../capture-method-flag.js';
import type { GetContext } from '../context.js';

interface GrantsFlags {
  apply?: boolean;
  roles?: string;
  host: string;
  prefix: string;
  capture?: 'triggers' | 'binlog';
}

function describe(r: GrantsResult): string {
  const out: string[] = [`-- the sync account reads ${r.capture === 'binlog' ? 'the binary log (binlog capture: REPLICATION SLAVE, no TRIGGER)' : "the capture triggers' change log (trigger capture)"}`];
  for (const s of r.servers) {
    if (r.servers.length > 1) out.push(`-- on the ${s.server} server (${s.label})`);
    for (const a of s.accounts) {
      const pw = a.password === 'env' ? `from ${passwordEnv(a.role)}` : a.password;
      const how = `${a.created ? 'new' : 'existing'} account, password ${pw}`;
      out.push(`-- ${a.role}: ${a.account} (${how})`);
      for (const g of a.grants) out.push(`--   ${g.privileges.join(', ')} ON ${g.on}: ${g.why}`);
      out.push(...a.statements.map((x) => `${x};`), ...a.notes.map((n) => `-- note: ${n}`));
    }
  }
  if (!r.applied) out.push('-- nothing was changed: run with --apply to create the accounts (generated passwords are shown then, once)');
  else {
    const n = r.servers.reduce((a, s) => a + s.accounts.reduce((b, x) => b + x.statements.length, 0), 0);
    out.push(`-- applied ${n} statement(s)`);
    if (r.passwords.length) {
      out.push('generated passwords (shown once: store them now, e.g. in an option file or DUALPIPE_SOURCE_PASSWORD):');
      for (const p of r.passwords) out.push(`  ${`${p.user}@${p.host}`.padEnd(28)} ${p.password}`);
    }
  }
  return out.join('\n');
}

/** `dualpipe grants [--apply]`: one least-privilege MySQL account per role. */
export function registerGrantsCommand(program: Command, ctx: GetContext): void {
  program
    .command('grants')
    .description(`print (or --apply) one least-privilege MySQL account per role: ${ROLES.join(', ')}`)
    .option('--apply', 'create or update the accounts (as an administrative account); without it, only print the SQL')
    .option('--roles <list>', `comma-separated roles (default: all of ${ROLES.join(',')})`)
    .option('--host <pattern>', "host part of the accounts, e.g. '10.0.0.%' or localhost", '%')
    .option('--prefix <prefix>', 'account names are <prefix><role>', 'dp_')
    .option('--capture <method>', 'the change capture the sync account is for: triggers or binlog (default: the method `capture install` recorded, else triggers)', parseCaptureMethod('--capture'))
    .addHelpText(
      'after',
      `\nPasswords come from ${ROLES.map(passwordEnv).join(', ')} when set; otherwise a new account's is generated and shown once (with --apply).` +
        '\nAn existing account keeps its password unless its variable is set. Exit codes: 0 ok, 1 failure, 2 bad role, prefix or host.',
    )
    .action(async (flags: GrantsFlags) => {
      const { roles, unknown } = parseRoles(flags.roles);
      if (unknown.length || roles.length === 0)
        throw new UsageError(`unknown role(s) in --roles: ${unknown.join(', ') || '(none given)'}`, { hint: `use one or more of ${ROLES.join(', ')}` });
      const { runGrants, validateAccountParts } = await import('../../api/ops.js');
      validateAccountParts(flags.prefix, flags.host);
      const c = ctx();
      const result = await runGrants({
        pipeline: c.pipeline,
        roles,
        host: flags.host,
        prefix: flags.prefix,
        env: c.io.env,
        apply: flags.apply === true,
        ...(flags.capture !== undefined ? { capture: flags.capture } : {}),
      });
      c.print(result, () => describe(result));
    });
}
