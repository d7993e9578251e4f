import type { Command } from 'commander';
import { schedulerStatusOf } from '../../app/scheduledRun.js';
import { statusJson } from '../../report/status.js';
import { withOpenService, type GlobalOptions } from '../context.js';
import { renderTable, truncate } from '../table.js';

const minute = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '');

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("the scheduler as the store knows it: each job's last and next runs, the claims held, the replicas")
    .option('--json', 'print the documented JSON shape')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withOpenService(cmd.optsWithGlobals<GlobalOptions>(), async (open) => {
        const status = await schedulerStatusOf(open, new Date());
        if (opts.json) return void process.stdout.write(`${JSON.stringify(statusJson(status), null, 2)}\n`);
        const rows = status.jobs.map((j) => {
          const last = j.recent[0];
          return [j.pipeline ?? `${j.clinic} (clinic pack)`, j.schedule, last ? last.slot.replace('T', ' ') : 'never', last?.state ?? '', truncate(last?.detail ?? '', 60), minute(j.next)];
        });
        const out = [`Jobs (slots in ${status.timezone}; next runs in UTC):`, renderTable(['job', 'schedule', 'last slot', 'state', 'detail', 'next (UTC)'], rows), ''];
        out.push(status.held.length ? 'Claims held:' : 'Claims held: none');
        if (status.held.length) out.push(renderTable(['job', 'slot', 'replica', 'attempt', 'lease until (UTC)'], status.held.map((c) => [c.job, c.slot.replace('T', ' '), c.replica, String(c.attempt), minute(c.leaseUntil)])));
        out.push('', status.replicas.length ? 'Replicas:' : 'Replicas: none has run a scheduler on this store');
        if (status.replicas.length) out.push(renderTable(['replica', 'started (UTC)', 'last seen (UTC)', 'stopped (UTC)'], status.replicas.map((r) => [r.id, minute(r.startedAt), minute(r.seenAt), minute(r.stoppedAt)])));
        process.stdout.write(`${out.join('\n')}\n`);
      });
    });
}
