/** What the CLI reads and writes; tests pass their own. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  cwd: string;
}

/**
 * A stdout whose reader may go away (`dualpipe backup --help | head -3`, `dualpipe status | grep -q`):
 * once a write fails with EPIPE, later output is dropped and the command carries on to its own end
 * and exit code. Without the listener Node turns the closed pipe into an uncaught error, and a sync
 * piped into `head` would stop halfway with a stack trace. Other errors on stdout still throw.
 */
export function pipeTolerantStdout(stream: NodeJS.WriteStream): CliIo['stdout'] {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  return {
    write: (text: string) => closed || stream.write(text),
    get isTTY() {
      return stream.isTTY;
    },
  };
}

/** The process's own streams, environment and working directory. */
export const processIo: CliIo = {
  stdout: pipeTolerantStdout(process.stdout),
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
};
