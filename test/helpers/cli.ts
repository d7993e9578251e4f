import { spawnSync } from 'node:child_process';
import path from 'node:path';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the compiled `lineofsight` binary as a user would, in `cwd`, with extra environment. */
export function lineofsight(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliResult {
  const r = spawnSync(process.execPath, [path.resolve('dist/cli/main.js'), ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { ...process.env, LINEOFSIGHT_CONFIG: undefined, ...options.env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
