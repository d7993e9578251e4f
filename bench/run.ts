// `npm run bench`: every benchmark, each a ratio against a baseline run in this same script.
import { mkdirSync, writeFileSync } from 'node:fs';
import { benchBackfill } from './backfill.js';
import { benchChecks } from './checks.js';
import { benchClinicPack } from './clinicPack.js';
import { benchDaemon } from './daemon.js';
import { benchCsvChecks, benchCsvMemory, benchCsvSpeed } from './csv.js';
import { benchExceptions } from './exceptions.js';
import { benchJudge } from './judge.js';
import { benchScrape } from './scrape.js';
import type { BenchResult } from './measure.js';
import { benchSql } from './sql.js';

const benches: [string, () => Promise<BenchResult>][] = [
  ['sql', benchSql],
  ['csv-speed', benchCsvSpeed],
  ['csv-memory', benchCsvMemory],
  ['checks', benchChecks],
  ['csv-checks', benchCsvChecks],
  ['judge', benchJudge],
  ['scrape', benchScrape],
  ['exceptions', benchExceptions],
  ['clinic-pack', benchClinicPack],
  ['backfill', benchBackfill],
  ['daemon', benchDaemon],
];
const only = process.argv.slice(2);
const results: BenchResult[] = [];
for (const [key, bench] of benches) {
  if (only.length && !only.includes(key)) continue;
  process.stderr.write(`running ${key}...\n`);
  const r = await bench();
  results.push(r);
  process.stdout.write(`${r.pass ? 'PASS' : 'FAIL'}  ${r.name}\n      target:   ${r.target}\n      measured: ${r.measured}\n`);
}
mkdirSync('bench/results', { recursive: true });
writeFileSync(`bench/results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`, `${JSON.stringify(results, null, 2)}\n`);
if (results.some((r) => !r.pass)) process.exitCode = 1;
