import type { Command } from 'commander';
import { Store } from '../../store/store.js';
import { loadConfigFor, type GlobalOptions } from '../context.js';

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description("bring the store's tables up to date (other commands also do this before they start)")
    .action(async (_opts: unknown, cmd: Command) => {
      const config = await loadConfigFor(cmd.optsWithGlobals<GlobalOptions>());
      const store = new Store(config.service.store);
      try {
        const applied = await store.migrate();
        process.stdout.write(applied.length ? `applied: ${applied.join(', ')}\n` : 'store is up to date\n');
      } finally {
        await store.close();
      }
    });
}
