import type { Command } from 'commander';
import { withContext, type GlobalOptions } from '../context.js';
import { formatValue, renderTable } from '../table.js';

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
      await withContext(cmd.optsWithGlobals<GlobalOptions>(), async (ctx) => {
        const indicator = ctx.config.pipelines.flatMap((p) => p.indicators).find((i) => i.id === id || i.replaces.includes(id));
        if (!indicator) throw new Error(`unknown indicator "${id}"`);
        const ids = [indicator.id, ...indicator.replaces];
        const range = {
          from: opts.from ? ctx.config.calendar.parse(opts.from).start : undefined,
          to: opts.to ? ctx.config.calendar.parse(opts.to).end : undefined,
        };
        const values = await ctx.store.storedValues(ids, { ...range, includeRevised: !!opts.revisions });
        if (opts.json) {
          const json = {
            indicator: indicator.id,
            title: indicator.title,
            unit: indicator.unit,
            ids,
            values: values.map((v) => ({
              indicator: v.indicatorId,
              period: v.periodId,
              periodStart: v.periodStart,
              periodEnd: v.periodEnd,
              value: v.value,
              numerator: v.numerator,
              denominator: v.denominator,
              reason: v.reason,
              dataQuality: v.dataQuality,
              revision: v.revision,
              recordedAt: v.recordedAt,
              supersededAt: v.supersededAt,
            })),
          };
          process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
          return;
        }
        process.stdout.write(`${indicator.id} ${indicator.title}${indicator.unit ? ` (${indicator.unit})` : ''}\n`);
        const rows = values.map((v) => [
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
