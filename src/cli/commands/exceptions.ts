import type { Command } from 'commander';
import { acknowledgeException, openExceptions, reckonExceptions } from '../../app/exceptions.js';
import { dateFilter } from '../../report/filters.js';
import { exceptionJson, messagesJson, type ListedException } from '../../report/exceptions.js';
import { isUrgent } from '../../notify/compose.js';
import { recipientKey } from '../../notify/plan.js';
import { shown } from '../../text.js';
import { withOpenService, type GlobalOptions } from '../context.js';
import { renderTable, truncate } from '../table.js';

function exceptionTable(listed: readonly ListedException[]): string {
  return renderTable(
    ['id', 'kind', 'state', 'exception', 'opened', 'ack', 'goes to'],
    listed.map((l) => [
      l.id === null ? 'new' : String(l.id),
      l.exception.kind,
      l.exception.state + (l.exception.unvalidated ? ' (unvalidated)' : '') + (l.exception.held ? ' (held)' : ''),
      truncate(l.exception.title, 70),
      l.openedAt?.slice(0, 16).replace('T', ' ') ?? 'now',
      l.acknowledged ? 'yes' : '',
      truncate(l.recipients.map(recipientKey).join(', '), 60),
    ]),
  );
}

export function registerExceptions(program: Command): void {
  const exceptions = program.command('exceptions').description('open exceptions, who is told of them, and acknowledging them');

  exceptions
    .command('list', { isDefault: true })
    .description('list open exceptions and who they go to (the default); with --dry-run, what a cycle now would send to whom')
    .option('--dry-run', 'reckon the exceptions from the store now, and show who would get what, writing nothing')
    .option('--json', 'print the documented JSON shape')
    .action(async (opts: { dryRun?: boolean; json?: boolean }, cmd: Command) => {
      await withOpenService(cmd.optsWithGlobals<GlobalOptions>(), async (open) => {
        if (!opts.dryRun) {
          const listed = await openExceptions(open, new Date());
          if (opts.json) process.stdout.write(`${JSON.stringify({ exceptions: listed.map(exceptionJson) }, null, 2)}\n`);
          else process.stdout.write(listed.length ? `${exceptionTable(listed)}\n` : 'no open exceptions\n');
          return;
        }
        const r = await reckonExceptions(open, new Date(), { dry: true });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ exceptions: r.open.map(exceptionJson), resolved: r.resolved.map((e) => e.id), messages: messagesJson(r.messages) }, null, 2)}\n`);
          return;
        }
        const out: string[] = [];
        if (r.nobody) out.push(r.nobody);
        if (r.resolved.length) out.push(`${r.resolved.length} would be resolved: ${r.resolved.map((e) => `${e.id} ${e.title}`).join('; ')}`);
        out.push(r.messages.length ? `${r.messages.length} message(s) would be written (dry run: nothing was):` : 'no message would be written: nothing is new, changed, due a reminder or resolved');
        for (const m of r.messages) out.push(`  ${isUrgent(m.kind) ? 'at once' : 'digest '}  ${m.to.address}  ${m.subject}  [${m.tells.map((t) => `${t.exceptionId} ${t.change.replace('_', ' ')}`).join(', ')}]`);
        process.stdout.write(`${[r.open.length ? exceptionTable(r.open) : 'no open exceptions', '', ...out.map(shown)].join('\n')}\n`);
      });
    });

  exceptions
    .command('ack')
    .description('acknowledge an open exception: no reminders until it changes, or until --until passes')
    .argument('<id>', 'exception id (from `lineofsight exceptions`)')
    .requiredOption('--note <text>', 'why, and what is being done (kept with the exception)')
    .option('--until <date>', 'the last day reminders stay off (YYYY-MM-DD); default: until the exception changes')
    .action(async (id: string, opts: { note: string; until?: string }, cmd: Command) => {
      if (!/^\d+$/.test(id)) throw new Error(`an exception id is a number, not "${id}"`);
      if (!opts.note.trim()) throw new Error('--note must say why the exception is acknowledged');
      const until = opts.until === undefined ? undefined : dateFilter('--until', opts.until);
      await withOpenService(cmd.optsWithGlobals<GlobalOptions>(), async (open) => {
        const e = await acknowledgeException(open, Number(id), opts.note.trim(), until, new Date());
        process.stdout.write(shown(`exception ${e.id} (${e.title}) acknowledged: no reminders ${until ? `until the end of ${until} or ` : ''}until it changes from ${e.state}\n`));
      });
    });
}
