import type { Command } from 'commander';
import { formatValue } from '../../indicators/format.js';
import { historyJson, indicatorHistory } from '../../report/values.js';
import { withOpenService, type GlobalOptions } from '../context.js';
import { renderTable } from '../table.js';

interface ValuesOptions {
  from?: string;
  to?: string;
  revisions?: boolean;
  json?: boolean;
}

export function registerValues(program: Command): void {
  program
    .command('values')
    .description("print an indicator's stored history, including the ids it replaces")
    .argument('<indicator>', 'indicator id (a replaced id finds its successor)')
    .option('--from <period>', 'first period to show')
    .option('--to <period>', 'last period to show')
    .option('--revisions', 'also show values that later runs revised')
    .option('--json', 'print the documented JSON shape instead of a table')
    .action(async (id: string, opts: ValuesOptions, cmd: Command) => {
      await withOpenService(cmd.optsWithGlobals<GlobalOptions>(), async (open) => {
        const history = await indicatorHistory(open.config, open.store.runs, id, opts);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(historyJson(history), null, 2)}\n`);
          return;
        }
        const { indicator } = history;
        process.stdout.write(`${indicator.id} ${indicator.title}${indicator.unit ? ` (${indicator.unit})` : ''}\n`);
        const rows = history.values.map((v) => [
          v.periodId,
          v.indicatorId,
          formatValue(v.value, indicator.unit, indicator.decimals),
          v.dataQuality,
          String(v.revision),
          v.recordedAt.slice(0, 19).replace('T', ' '),
          v.supersededAt ? `revised ${v.supersededAt.slice(0, 19).replace('T', ' ')}` : (v.reason ?? ''),
        ]);
        process.stdout.write(`${renderTable(['period', 'as', 'value', 'quality', 'rev', 'recorded', 'note'], rows)}\n`);
      });
    });
}
