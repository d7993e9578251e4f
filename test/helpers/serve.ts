import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ServeProcess {
  url: string;
  process: ChildProcess;
  /** Everything it logged so far. */
  log(): string;
  stop(): Promise<number | null>;
}

/** Starts the compiled `lineofsight serve` on a free port and waits for it to say where it listens. */
export async function startServe(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [path.resolve('dist/cli/main.js'), 'serve', '--port', '0', ...args], {
    cwd: options.cwd ?? process.cwd(),
    // At info, since the line saying where it listens is an info line.
    env: { ...process.env, LINEOFSIGHT_CONFIG: undefined, LINEOFSIGHT_HTTP_TOKEN: undefined, ...options.env, LINEOFSIGHT_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${log}`)), 60_000);
    const look = () => {
      const m = /"url":"(http:\/\/[^"]+)"/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stderr!.on('data', look);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}): ${log}`));
    });
  });
  return {
    url,
    process: child,
    log: () => log,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
