import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Written to standard input: how passwords reach psql without appearing in `ps`. */
  input?: string;
  uid?: number;
  gid?: number;
}

/** Runs a program to its end, collecting its output (asynchronously: a test's event loop keeps running). */
export function runCommand(command: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      uid: options.uid,
      gid: options.gid,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c) => (stdout += c));
    child.stderr!.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

/** Runs a program and throws, with its own words and `fix`, unless it succeeds. */
export async function mustRun(what: string, command: string, args: string[], fix: string, options: CommandOptions = {}): Promise<CommandResult> {
  const result = await runCommand(command, args, options).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`${what} failed: ${err.code === 'ENOENT' ? `${command} is not installed` : err.message}. Fix: ${fix}`);
  });
  if (result.code !== 0) {
    const said = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-8).join('\n');
    throw new Error(`${what} failed (${command} exited with ${result.code}):\n${said}\nFix: ${fix}`);
  }
  return result;
}
