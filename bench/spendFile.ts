import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { csvSpecSchema, type Aggregation } from '../src/config/schema.js';
import { silentLogger } from '../src/logger.js';
import { readCsv, type RowObserver } from '../src/sources/csv/index.js';

const SERVICES = ['Housing', 'Waste Services', 'Planning', 'Revenues & Benefits', 'Leisure', 'Corporate Property'];
const CATEGORIES = ['Agency Staff', 'Repairs & Maintenance', 'Grants', 'Professional Fees', 'Vehicle Hire', 'Utilities'];

/**
 * A spend-over-£500 style file of `rows` lines like the councils publish: quoted thousands,
 * UK dates, a few credit notes. Made once per size and kept in the temp folder between runs.
 */
export async function spendFile(rows: number): Promise<string> {
  const dir = path.join(os.tmpdir(), 'lineofsight-bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `spend-${rows}.csv`);
  if (existsSync(file) && statSync(file).size > rows * 40) return file;
  const out = createWriteStream(file);
  out.write('Service Area,Expenditure Category,Supplier Name,Transaction Number,Payment Date,Amount\r\n');
  let seed = 12345;
  for (let i = 0; i < rows; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const pence = 50000 + (seed % 5_000_000);
    const credit = seed % 97 === 0;
    const pounds = (pence / 100).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    const amount = credit ? `"(${pounds})"` : pounds.includes(',') ? `"${pounds}"` : pounds;
    const day = String(1 + (i % 28)).padStart(2, '0');
    const month = String(1 + ((i >> 5) % 12)).padStart(2, '0');
    const line = `${SERVICES[seed % SERVICES.length]},${CATEGORIES[(seed >> 3) % CATEGORIES.length]},Supplier ${seed % 5000} Ltd,T${i},${day}/${month}/2024,${amount}\r\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return file;
}

export const SPEND_SPEC = csvSpecSchema.parse({
  files: 'spend-*.csv',
  fields: {
    service: { header: 'Service Area' },
    category: { header: 'Expenditure Category' },
    supplier: { header: 'Supplier Name' },
    transaction: { header: 'Transaction Number' },
    paid: { header: 'Payment Date', type: 'date' },
    amount: { header: 'Amount', type: 'amount' },
  },
  date: 'paid',
});

/** The aggregates of a typical spend pipeline: all of them O(1) memory per month. */
export const SPEND_AGGREGATES: Aggregation[] = [
  { fn: 'count', where: [] },
  { fn: 'sum', field: 'amount', where: [] },
  { fn: 'mean', field: 'amount', where: [] },
  { fn: 'sum', field: 'amount', where: [{ field: 'category', op: 'eq', value: 'Agency Staff' }] },
  { fn: 'count', where: [{ field: 'amount', op: 'lt', value: 0 }] },
];

/** The product's single pass over one spend file; resolves to the data rows it read. */
export async function pipelinePass(file: string, observers: RowObserver[] = []): Promise<number> {
  const result = await readCsv({
    directory: path.dirname(file),
    spec: { ...SPEND_SPEC, files: path.basename(file) },
    aggregates: SPEND_AGGREGATES,
    observers,
    calendar: new FinancialCalendar(4),
    logger: silentLogger,
  });
  return result.rows.data;
}
