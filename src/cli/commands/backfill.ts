import type { Command } from 'commander';
import { ONLY, planBackfill, runBackfill, type BackfillPlan, type BackfillRequest, type BackfillSummary, type Only, type Progress } from '../../app/backfill.js';
import { pipelinesNamed } from '../../app/runCycle.js';
import { quoted, shown } from '../../text.js';
import { withOpenService, type GlobalOptions } from '../context.js';
import { renderTable } from '../table.js';
import { toldLines } from '../runsTable.js';

interface BackfillOptions {
  all?: boolean;
  from: string;
  to: string;
  only: string;
  dryRun?: boolean;
  concurrency: string;
  json?: boolean;
}

/** The exit status of a process stopped by a signal, as shells report it. */
const SIGNAL_STATUS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description('compute and store a pipeline (or all) over a range of past periods, resumably, beside a running daemon')
    .argument('[pipeline]', 'pipeline id')
    .option('--all', 'backfill every pipeline')
    .requiredOption('--from <period>', 'first period of the range')
    .requiredOption('--to <period>', 'last period of the range')
    .option('--only <which>', `which periods of the range: ${ONLY.join(' | ')}`, 'never-run')
    .option('--dry-run', 'list what would run and what is already done; change nothing')
    .option('--concurrency <n>', 'at most this many periods, and queries, at once on each source', '1')
    .option('--json', 'print the summary (or the dry run) as JSON')
    .addHelpText(
      'after',
      '\nAsked again, a backfill that was stopped (a signal, a crash) resumes: what it finished is not run\n' +
        'again. Once complete, asking again starts it afresh. Exit status 1 when any period failed;\n' +
        '130 (SIGINT) or 143 (SIGTERM) when stopped: the periods under way finish, within\n' +
        'scheduler.shutdown_grace, and a second signal gives them up at once.',
    )
    .action(async (pipelineId: string | undefined, opts: BackfillOptions, cmd: Command) => {
      if (!!pipelineId === !!opts.all) throw new Error('name one pipeline or give --all');
      if (!(ONLY as readonly string[]).includes(opts.only)) throw new Error(`--only ${quoted(opts.only)} is not one of ${ONLY.join(', ')}`);
      const concurrency = /^\d{1,6}$/.test(opts.concurrency) ? Number(opts.concurrency) : NaN;
      await withOpenService(cmd.optsWithGlobals<GlobalOptions>(), async (open) => {
        const request: BackfillRequest = {
          pipelines: pipelinesNamed(open.config, opts.all ? undefined : pipelineId),
          scope: opts.all ? '--all' : pipelineId!,
          from: opts.from,
          to: opts.to,
          only: opts.only as Only,
          concurrency,
        };
        if (opts.dryRun) {
          const plan = await planBackfill(open, request);
          process.stdout.write(opts.json ? `${JSON.stringify(planJson(plan), null, 2)}\n` : `${planText(plan)}\n`);
          return;
        }
        const stopped = stopOnSignals(open.config.service.scheduler.shutdown_grace);
        const progress = progressDisplay();
        try {
          const summary = await runBackfill(open, { ...request, stop: stopped.stop, abort: stopped.abort, onProgress: progress.update });
          progress.end();
          process.stdout.write(opts.json ? `${JSON.stringify(summaryJson(summary), null, 2)}\n` : `${summaryText(summary)}\n`);
          process.exitCode = stopped.signal() ? (SIGNAL_STATUS[stopped.signal()!] ?? 1) : summary.failed.length || summary.interrupted ? 1 : 0;
          // Given up while periods were under way: their queries may still be running, and nothing of them is wanted.
          if (stopped.abort.aborted) process.exit(process.exitCode);
        } finally {
          progress.end();
          stopped.release();
        }
      });
    });
}

/**
 * The first SIGINT or SIGTERM stops claiming periods; the second, or the end of the shutdown
 * grace, gives up the periods under way.
 */
function stopOnSignals(graceMs: number) {
  const stop = new AbortController();
  const abort = new AbortController();
  let received: NodeJS.Signals | undefined;
  let grace: NodeJS.Timeout | undefined;
  const on = (signal: NodeJS.Signals) => {
    if (received) return abort.abort();
    received = signal;
    process.stderr.write(`backfill: ${signal}: no more periods will be started; those under way have ${graceMs / 1000} s to finish (again to give them up)\n`);
    stop.abort();
    grace = setTimeout(() => abort.abort(), graceMs);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    stop: stop.signal,
    abort: abort.signal,
    signal: () => received,
    release() {
      clearTimeout(grace);
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
    },
  };
}

const duration = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};

/** On a terminal, one bar redrawn in place; otherwise one line per period, for a log. */
function progressDisplay() {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let drawn = false;
  return {
    update(p: Progress) {
      const elapsed = Date.now() - started;
      const eta = p.done < p.total ? `ETA ${duration((elapsed / p.done) * (p.total - p.done))}` : `in ${duration(elapsed)}`;
      const counts = `${p.done}/${p.total} periods, ${p.failed} failed, ${eta}`;
      if (tty) {
        const width = 30;
        const filled = p.total ? Math.round((p.done / p.total) * width) : width;
        process.stderr.write(`\r\u001b[2K[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${counts}`);
        drawn = true;
      } else {
        process.stderr.write(`${shown(`backfill: ${p.last.pipelineId} ${p.last.periodId} ${p.last.outcome}; ${counts}`)}\n`);
      }
    },
    end() {
      if (drawn) process.stderr.write('\n');
      drawn = false;
    },
  };
}

function planJson(plan: BackfillPlan) {
  return {
    backfill: plan.job,
    generation: plan.generation,
    resumes: plan.resumes,
    runningOn: plan.runningElsewhere?.replica ?? null,
    skipped: plan.skipped,
    periods: plan.periods.map((p) => ({ pipeline: p.pipelineId, period: p.period.id, action: p.action, why: p.why })),
  };
}

function planText(plan: BackfillPlan): string {
  const count = (action: string) => plan.periods.filter((p) => p.action === action).length;
  const rows = plan.periods.map((p) => [p.pipelineId, p.period.id, p.action === 'run' ? 'would run' : p.action === 'resume' ? 'would resume' : p.action, p.why]);
  const head = plan.runningElsewhere
    ? `${plan.job}: generation ${plan.generation} is running now on ${plan.runningElsewhere.replica}`
    : `${plan.job}: ${plan.resumes ? `would resume generation ${plan.generation}` : `would start generation ${plan.generation}`}`;
  return [
    shown(head),
    ...plan.skipped.map(shown),
    renderTable(['pipeline', 'period', 'action', 'why'], rows),
    `dry run: ${count('run')} would run, ${count('resume')} would resume, ${count('done')} already done by this backfill, ${count('not chosen')} not chosen, ${count('busy')} busy elsewhere; nothing was written`,
  ].join('\n');
}

function summaryJson(s: BackfillSummary) {
  return {
    backfill: s.plan.job,
    generation: s.plan.generation,
    resumed: s.plan.resumes,
    interrupted: s.interrupted,
    skipped: s.plan.skipped,
    alreadyDone: s.plan.periods.filter((p) => p.action === 'done').length,
    notChosen: s.plan.periods.filter((p) => p.action === 'not chosen').length,
    periods: s.results.map((r) => ({ pipeline: r.pipelineId, period: r.periodId, outcome: r.outcome, error: r.error })),
    failed: s.failed.map((f) => ({ pipeline: f.pipelineId, period: f.periodId, error: f.error })),
    messages: s.after?.exceptions.messages.length ?? 0,
  };
}

function summaryText(s: BackfillSummary): string {
  const outcomes = new Map<string, number>();
  for (const r of s.results) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
  const ran = [...outcomes].map(([outcome, n]) => `${n} ${outcome}`).join(', ') || 'nothing run';
  const done = s.plan.periods.filter((p) => p.action === 'done').length;
  const notChosen = s.plan.periods.filter((p) => p.action === 'not chosen').length;
  const lines = [
    shown(`${s.plan.job}, generation ${s.plan.generation}${s.plan.resumes ? ' (resumed)' : ''}: ${ran}; ${done} already done by this backfill, ${notChosen} not chosen`),
    ...s.plan.skipped.map(shown),
    ...s.failed.map((f) => shown(`  FAILED ${f.pipelineId} ${f.periodId}: ${f.error}`)),
  ];
  if (s.interrupted) lines.push('interrupted: ask again with the same arguments to resume it');
  if (s.after) lines.push(...toldLines(s.after));
  return lines.join('\n');
}
