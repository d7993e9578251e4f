import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freshPostgres, knexFor } from './databases.js';
import { workspace } from './workspace.js';

/**
 * A ledger source for backfill tests: one posting of 100 on the last day of each month from
 * April 2022 to March 2025, on SQLite or PostgreSQL, with monthly spend pipelines over it. On
 * PostgreSQL every query a pipeline sends waits `pause` seconds inside the server, so that the
 * queries under way can be seen in pg_stat_activity and a backfill can be stopped part way.
 */
export interface LedgerOptions {
  source: 'sqlite' | 'pg';
  store: 'sqlite' | 'pg';
  /** Pipeline ids, each one monthly pipeline over the ledger. */
  pipelines?: string[];
  pause?: number;
  /** Extra lines of the service config (e.g. a scheduler section). */
  extra?: string;
  /** The name the test's PostgreSQL databases start with. */
  database?: string;
}

const MONTH_ENDS = (() => {
  const out: string[] = [];
  for (let y = 2022, m = 4; y < 2025 || (y === 2025 && m <= 3); m === 12 ? ((m = 1), y++) : m++) {
    out.push(new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10));
  }
  return out;
})();

function pipelineYaml(id: string, pause: string): string {
  const spend = `SELECT COALESCE(SUM(amount), 0) AS spend FROM ledger WHERE day >= :period_start AND day < :period_end${pause}`;
  return `
id: ${id}
title: Spend ${id}
source: ledger
schedule: "0 6 * * *"
frequency: monthly
query: "${spend}"
arrival: { newest: "SELECT MAX(day) FROM ledger" }
indicators:
  - { id: ${id.toUpperCase()}1, title: Spend, type: sum, value: spend, polarity: none, owner: sam, service: Finance, suspect_values: false }
checks:
  - id: ${id}-reconciles
    type: reconciliation
    left: { label: ledger, query: "${spend.replace(' AS spend', '')}" }
    right: { label: ledger again, query: "${spend.replace(' AS spend', '')}" }
    tolerance: { absolute: 1 }
`;
}

export async function ledgerWorkspace(o: LedgerOptions) {
  const name = o.database ?? 'lineofsight_test_backfill';
  const pause = o.source === 'pg' && o.pause ? ` AND (SELECT COUNT(*) FROM pg_sleep(${o.pause})) = 1` : '';
  const storeUrl = o.store === 'pg' ? await freshPostgres(name) : undefined;
  const sourceUrl = o.source === 'pg' ? await freshPostgres(`${name}_src`) : undefined;
  const pipelines = o.pipelines ?? ['spend'];
  const ws = workspace({
    'lineofsight.yaml': [
      'pipelines_dir: {{dir}}/pipelines',
      storeUrl ? `store: { client: pg, connection: "${storeUrl}" }` : 'store: { client: sqlite, filename: "{{dir}}/store.sqlite" }',
      `sources:\n  ledger: ${sourceUrl ? `{ client: pg, connection: "${sourceUrl}", pool: { min: 0, max: 10 } }` : '{ client: sqlite, connection: "{{dir}}/ledger.sqlite" }'}`,
      o.extra ?? 'scheduler: { source_retries: [] }',
      '',
    ].join('\n'),
    ...Object.fromEntries(pipelines.map((id) => [`pipelines/${id}.yaml`, pipelineYaml(id, pause)])),
  });
  const rows = MONTH_ENDS.map((day) => ({ day, amount: 100 }));
  if (sourceUrl) {
    const db = knexFor('pg', sourceUrl);
    await db.schema.createTable('ledger', (t) => {
      t.date('day');
      t.bigInteger('amount');
    });
    await db('ledger').insert(rows);
    await db.destroy();
  } else {
    const db = new Database(ws.file('ledger.sqlite'));
    db.exec('CREATE TABLE ledger (day TEXT, amount INTEGER)');
    const insert = db.prepare('INSERT INTO ledger VALUES (?, ?)');
    for (const r of rows) insert.run(r.day, r.amount);
    db.close();
  }
  /** A posting past 2^53 on a month's last day fails that month's run; without it the month runs again. */
  const breakMonth = async (day: string, broken: boolean) => {
    if (sourceUrl) {
      const db = knexFor('pg', sourceUrl);
      await (broken ? db('ledger').insert({ day, amount: '90000000000000000' }) : db('ledger').where('amount', '>', 1000).del());
      await db.destroy();
    } else {
      const db = new Database(ws.file('ledger.sqlite'));
      if (broken) db.prepare('INSERT INTO ledger VALUES (?, ?)').run(day, 90_000_000_000_000_000n);
      else db.prepare('DELETE FROM ledger WHERE amount > 1000').run();
      db.close();
    }
  };
  return { ws, storeUrl, sourceUrl, breakMonth };
}

/** The built CLI started in the background, as an operator starts a long backfill. */
export function startCli(args: string[], cwd: string): { child: ChildProcess; done: Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [path.resolve('dist/cli/main.js'), ...args], { cwd, env: { ...process.env, LINEOFSIGHT_CONFIG: undefined } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ status: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
  return { child, done };
}
