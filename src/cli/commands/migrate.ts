import type { Command } from 'commander';
import { migrateStore } from '../../app/migrate.js';
import { serviceFor, type GlobalOptions } from '../context.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description("bring the store's tables up to date (other commands also do this before they start)")
    .action(async (_opts: unknown, cmd: Command) => {
      const applied = await migrateStore(await serviceFor(cmd.optsWithGlobals<GlobalOptions>()));
      process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'store is up to date\n');
    });
}
