import type { Command } from 'commander';
import { configPath, loadConfig } from '../../config/load.js';
import type { GlobalOptions } from '../context.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check the service config and every pipeline; list every problem with file, line and field')
    .addHelpText('after', '\nExit status 0 when valid, 1 when not (nothing is run or stored either way).')
    .action(async (_opts: unknown, cmd: Command) => {
      const file = configPath(cmd.optsWithGlobals<GlobalOptions>().config, process.env);
      const config = await loadConfig(file);
      const indicators = config.pipelines.reduce((n, p) => n + p.indicators.length, 0);
      process.stdout.write(`${file}: valid (${config.pipelines.length} pipelines, ${indicators} indicators)\n`);
    });
}
