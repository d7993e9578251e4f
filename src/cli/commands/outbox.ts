import type { Command } from 'commander';
import { retryMessage } from '../../app/deliver.js';
import { OUTBOX_STATES } from '../../notify/outbox.js';
import { countFilter, oneOf } from '../../report/filters.js';
import { DEFAULT_MESSAGES_LISTED, messageJson } from '../../report/outbox.js';
import { withOpenService, type GlobalOptions } from '../context.js';
import { renderTable, truncate } from '../table.js';

export function registerOutbox(program: Command): void {
  const outbox = program.command('outbox').description('the messages lineofsight wrote, from their writing to their sending; retrying a failed one');

  outbox
    .command('list', { isDefault: true })
    .description('list messages, newest first (the default)')
    .option('--state <state>', OUTBOX_STATES.join(', '))
    .option('--limit <n>', 'at most this many', String(DEFAULT_MESSAGES_LISTED))
    .option('--json', 'print the documented JSON shape')
    .action(async (opts: { state?: string; limit: string; json?: boolean }, cmd: Command) => {
      const state = opts.state === undefined ? undefined : oneOf('--state', opts.state, OUTBOX_STATES);
      const limit = countFilter('--limit', opts.limit, 10_000);
      await withOpenService(cmd.optsWithGlobals<GlobalOptions>(), async (open) => {
        const messages = await open.store.outbox.list(state, limit);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ messages: messages.map(messageJson) }, null, 2)}\n`);
          return;
        }
        if (!messages.length) {
          process.stdout.write(`no ${state ? `${state} ` : ''}messages\n`);
          return;
        }
        const when = (m: (typeof messages)[number]) => (m.sentAt ? `sent ${m.sentAt.slice(0, 16)}` : m.state === 'pending' ? `next ${m.nextAttemptAt.slice(0, 16)}` : m.state);
        process.stdout.write(
          `${renderTable(
            ['id', 'state', 'kind', 'to', 'subject', 'tries', 'when', 'last error'],
            messages.map((m) => [String(m.id), m.state, m.kind, m.to.address, truncate(m.subject, 60), String(m.attempts), when(m).replace('T', ' '), truncate(m.lastError ?? '', 60)]),
          )}\n`,
        );
      });
    });

  outbox
    .command('retry')
    .description('send a failed message again, now')
    .argument('<id>', 'message id (from `lineofsight outbox --state failed`)')
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      if (!/^\d+$/.test(id)) throw new Error(`a message id is a number, not "${id}"`);
      await withOpenService(cmd.optsWithGlobals<GlobalOptions>(), async (open) => {
        const { delivered } = await retryMessage(open, Number(id), new Date());
        const after = await open.store.outbox.entry(Number(id));
        process.stdout.write(`message ${id} retried: ${after?.state ?? 'gone'}${after?.lastError && after.state !== 'sent' ? ` (${after.lastError})` : ''}; ${delivered.sent} sent, ${delivered.retrying} to retry, ${delivered.failed} failed\n`);
        if (after?.state !== 'sent') process.exitCode = 1;
      });
    });
}
