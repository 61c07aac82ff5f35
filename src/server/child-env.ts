/**
 * The environment of a process dualpipe starts (mariadbd, mariadb-install-db, apt-get). None of
 * them needs a password or a dualpipe URL, and a child's environment is readable in
 * /proc/<pid>/environ by its user and root for as long as it runs, so they are left out.
 */
const SECRET_KEY = /PASSWORD|PASSWD|SECRET|TOKEN|^MYSQL_PWD$|^DUALPIPE_/i;

/** `base` without any variable that could hold a password or a URL with one. */
export function childEnv(
  base: NodeJS.ProcessEnv = process.env,
  extra: Record<string, string> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !SECRET_KEY.test(k)) out[k] = v;
  return { ...out, ...extra };
}
