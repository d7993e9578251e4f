import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** The CLI tests run the compiled binary, as users do: compile it first. */
export function buildCli(): void {
  execFileSync(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
