import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { checkSchema } from '../src/config/schema.js';
import { CsvChecks } from '../src/quality/csv/index.js';
import { compare, type BenchResult } from './measure.js';
import { pipelinePass, SPEND_SPEC, spendFile } from './spendFile.js';

const ROWS = Number(process.env.BENCH_CSV_ROWS ?? 1_000_000);

async function bareCsvParse(file: string): Promise<number> {
  let n = 0;
  for await (const _record of createReadStream(file).pipe(parse())) n++;
  return n;
}

export async function benchCsvSpeed(): Promise<BenchResult> {
  const file = await spendFile(ROWS);
  const r = await compare(3, () => bareCsvParse(file), () => pipelinePass(file));
  // Same rows on both sides, so the rows/second ratio is the inverse of the time ratio.
  const speed = 1 / r.ratio;
  return {
    name: `CSV: ${ROWS.toLocaleString('en-GB')}-row spend file, 5 aggregates`,
    target: 'rows/second >= 0.5x bare csv-parse over the same file',
    measured: `${Math.round(ROWS / (r.candidateMs / 1000)).toLocaleString('en-GB')} rows/s vs ${Math.round(ROWS / (r.baselineMs / 1000)).toLocaleString('en-GB')} bare: ${speed.toFixed(3)}x`,
    pass: speed >= 0.5,
  };
}

function peakKb(file: string): number {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'csvPeak.js');
  return JSON.parse(execFileSync(process.execPath, [script, file], { encoding: 'utf8' })).maxRssKb as number;
}

export async function benchCsvMemory(): Promise<BenchResult> {
  const small = await spendFile(ROWS);
  const large = await spendFile(ROWS * 4);
  const a = peakKb(small);
  const b = peakKb(large);
  const rise = b / a - 1;
  return {
    name: `CSV memory: ${ROWS.toLocaleString('en-GB')} vs ${(ROWS * 4).toLocaleString('en-GB')} rows`,
    target: 'a 4x larger file raises peak RSS by < 20%',
    measured: `peak RSS ${(a / 1024).toFixed(0)} MiB vs ${(b / 1024).toFixed(0)} MiB: +${(rise * 100).toFixed(1)}%`,
    pass: rise < 0.2,
  };
}

/** Ten checks a data-quality lead would put on a spend file, one of them failing on credit notes. */
const SPEND_CHECKS = [
  { type: 'not_null', column: 'supplier' },
  { type: 'not_null', column: 'service' },
  { type: 'completeness', column: 'category', min_percent: 99 },
  { type: 'accepted_values', column: 'service', values: ['Housing', 'Waste Services', 'Planning', 'Revenues & Benefits', 'Leisure', 'Corporate Property'] },
  { type: 'range', column: 'amount', min: -1_000_000, max: 1_000_000 },
  { type: 'range', column: 'amount', min: 0, severity: 'warn' },
  { type: 'pattern', column: 'supplier', regex: '^Supplier \\d+ Ltd$' },
  { type: 'unique', columns: ['transaction'] },
  { type: 'freshness', column: 'paid', max_age: '3650d' },
  { type: 'row_count', min: 1 },
].map((c, i) => checkSchema.parse({ id: `check${i}`, ...c }));

export async function benchCsvChecks(): Promise<BenchResult> {
  const file = await spendFile(ROWS);
  const spec = { ...SPEND_SPEC, files: path.basename(file) };
  const r = await compare(3, () => pipelinePass(file), () => pipelinePass(file, [new CsvChecks(SPEND_CHECKS, spec, new FinancialCalendar(4)).observer]));
  const slowdown = r.ratio - 1;
  return {
    name: `CSV checks: ten checks in the single pass over a ${ROWS.toLocaleString('en-GB')}-row spend file`,
    target: 'the pass slows by < 30% with the checks',
    measured: `${r.candidateMs.toFixed(0)} ms vs ${r.baselineMs.toFixed(0)} ms without checks: +${(slowdown * 100).toFixed(1)}%`,
    pass: slowdown < 0.3,
  };
}
