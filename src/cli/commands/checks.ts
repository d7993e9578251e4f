import type { Command } from 'commander';
import { acknowledgeEntry } from '../../app/acknowledge.js';
import { dateFilter, oneOf } from '../../report/filters.js';
import { entriesCsv, entriesJson, entryDetailJson, failedCheckLog, LOG_STATUSES, logEntry } from '../../report/logEntries.js';
import { withOpenService, type GlobalOptions } from '../context.js';
import { logTable } from '../logTable.js';
import { csvText, shown } from '../../text.js';
import { renderTable } from '../table.js';

interface ListOptions {
  status: string;
  pipeline?: string;
  since?: string;
  format: string;
}

const FORMATS = ['table', 'json', 'csv'];

export function registerChecks(program: Command): void {
  const checks = program.command('checks').description('the failed-check log: list, show and acknowledge data-quality failures');

  checks
    .command('list', { isDefault: true })
    .description('list failed-check log entries (the default)')
    .option('--status <status>', LOG_STATUSES.join(', '), 'open')
    .option('--pipeline <pipeline>', 'only this pipeline')
    .option('--since <date>', 'only entries that failed on or after this date (YYYY-MM-DD)')
    .option('--format <format>', 'table, json or csv', 'table')
    .action(async (opts: ListOptions, cmd: Command) => {
      const status = oneOf('--status', opts.status, LOG_STATUSES);
      oneOf('--format', opts.format, FORMATS);
      const since = opts.since === undefined ? undefined : dateFilter('--since', opts.since);
      await withOpenService(cmd.optsWithGlobals<GlobalOptions>(), async (open) => {
        const entries = await failedCheckLog(open.store.checkLog, { status, pipelineId: opts.pipeline, since });
        if (opts.format === 'json') {
          process.stdout.write(`${JSON.stringify(entriesJson(entries), null, 2)}\n`);
        } else if (opts.format === 'csv') {
          process.stdout.write(csvText(entriesCsv(entries)));
        } else {
          process.stdout.write(entries.length ? `${logTable(entries)}\n` : `no ${opts.status === 'all' ? '' : `${opts.status} `}entries\n`);
        }
      });
    });

  checks
    .command('show')
    .description('one entry in full: the failure, its sample rows and every run that saw it')
    .argument('<id>', 'entry id (from `lineofsight checks`)')
    .option('--json', 'print the documented JSON shape')
    .action(async (id: string, opts: { json?: boolean }, cmd: Command) => {
      await withOpenService(cmd.optsWithGlobals<GlobalOptions>(), async (open) => {
        const found = await logEntry(open.store.checkLog, entryId(id));
        const { entry, runs } = found;
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(entryDetailJson(found), null, 2)}\n`);
          return;
        }
        const lines = [
          `entry ${entry.id}: ${entry.checkId} (${entry.checkType}) on ${entry.pipelineId} / ${entry.source}, period ${entry.periodId}`,
          `status ${entry.status}, severity ${entry.severity}, ${entry.consecutiveFailures} consecutive failing run(s)`,
          `first failed ${entry.firstFailedAt}, last failed ${entry.lastFailedAt}${entry.resolvedAt ? `, resolved ${entry.resolvedAt}` : ''}`,
          `failing: ${entry.failingCount ?? '—'}${entry.failingShare === null ? '' : ` (${entry.failingShare.toFixed(2)}%)`}`,
          entry.message,
        ];
        if (entry.ackNote) lines.push(`acknowledged ${entry.acknowledgedAt}: ${entry.ackNote}`);
        // The message and the note quote data and people: shown escaped, as the tables below are.
        for (let i = 0; i < lines.length; i++) lines[i] = shown(lines[i]!);
        const columns = [...new Set(entry.sample.flatMap((row) => Object.keys(row)))];
        lines.push('', entry.sample.length ? `sample (${entry.sample.length} row(s)):` : 'no sample rows');
        if (entry.sample.length) lines.push(renderTable(columns, entry.sample.map((row) => columns.map((c) => (row[c] === null || row[c] === undefined ? '' : String(row[c]))))));
        lines.push('', renderTable(['run', 'status', 'failing', 'seen'], runs.map((r) => [String(r.runId), r.status, r.failingCount === null ? '' : String(r.failingCount), r.seenAt])));
        process.stdout.write(`${lines.join('\n')}\n`);
      });
    });

  checks
    .command('ack')
    .description('acknowledge an entry with a note: it stays quiet until its failing count changes')
    .argument('<id>', 'entry id')
    .requiredOption('--note <text>', 'why the failure is accepted for now (kept with the entry)')
    .action(async (id: string, opts: { note: string }, cmd: Command) => {
      if (!opts.note.trim()) throw new Error('--note must say why the failure is acknowledged');
      await withOpenService(cmd.optsWithGlobals<GlobalOptions>(), async (open) => {
        const entry = await acknowledgeEntry(open, entryId(id), opts.note.trim(), new Date());
        process.stdout.write(`entry ${entry.id} (${entry.checkId}, ${entry.periodId}) acknowledged at ${entry.failingCount ?? 0} failing\n`);
      });
    });
}

function entryId(text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`an entry id is a number, not "${text}"`);
  return Number(text);
}
