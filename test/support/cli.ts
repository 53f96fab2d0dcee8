import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../../config/package-root';
import type { TestEstate } from './estate';
import { testServer } from './server';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Points the estate's home at the test server and the given task queue, as a user's temporal.config.json would. */
export function writeTemporalConfig(estate: TestEstate, taskQueue: string): void {
  const config = { address: testServer().address, namespace: 'default', taskQueue };
  fs.writeFileSync(path.join(estate.home, 'temporal.config.json'), JSON.stringify(config, null, 2));
}

/** The built command line, as `npx dbmove` runs it. */
export const CLI_ENTRY = path.join(packageRoot(), 'dist', 'cli', 'cli.js');

/** Runs the real `dbmove` command line as a child process in the estate's home. */
export function runCli(estate: TestEstate, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return runProcess(process.execPath, [CLI_ENTRY, ...args], {
    cwd: estate.home,
    env: { ...process.env, DBMOVE_HOME: estate.home, NO_COLOR: '1', DBMOVE_USER: 'cli-tester', ...env },
  });
}

/** Runs a program to its end and collects what it printed. */
export function runProcess(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    // 'close', not 'exit': a busy machine can report the exit before the last of the output is read.
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
