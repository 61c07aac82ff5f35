import { UsageError } from '../api/light.js';

/**
 * Asks for a password on the terminal without echoing it (as MySQL's client does for a bare `-p`).
 * Without a terminal on stdin it refuses in one line rather than hang or read a pipe by surprise.
 */
export async function askPassword(prompt: string, flag: string, stderr: { write(text: string): unknown }): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    throw new UsageError(`${flag} without a value asks on a terminal, and stdin is not one`, {
      hint: `give ${flag}=…, MYSQL_PWD, the DUALPIPE_*_PASSWORD variable, or password= in ~/.my.cnf`,
    });
  }
  stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (chunk: string) => {
        for (const c of chunk) {
          if (c === '\r' || c === '\n' || c === '\u0004') {
            stdin.off('data', onData);
            resolve(typed);
            return;
          }
          if (c === '\u0003') {
            stdin.off('data', onData);
            reject(new UsageError('password prompt interrupted'));
            return;
          }
          if (c === '\u007f' || c === '\b') typed = typed.slice(0, -1);
          else typed += c;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    stderr.write('\n');
  }
}
