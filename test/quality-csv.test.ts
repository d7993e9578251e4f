/**
 * Data-quality checks over CSV rows, observed in the same pass as the aggregates. Each case writes
 * its rows to a file, and every expected number is counted here from those rows (or, for the real
 * council file, from its bytes split by hand), not copied from a previous run.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { checkSchema, csvSpecSchema, type CheckConfig, type CsvSpec } from '../src/config/schema.js';
import { silentLogger } from '../src/logger.js';
import type { Clock } from '../src/calendar/clock.js';
import { CsvChecks } from '../src/quality/csv/index.js';
import { applyThresholds as judge } from '../src/quality/outcome.js';
import type { CheckOutcome } from '../src/quality/result.js';
import { readCsv, type Row, type RowObserver } from '../src/sources/csv/index.js';

const calendar = new FinancialCalendar(4);
const Q4 = ['2024-01', '2024-02', '2024-03'];
const Q4_LAST_YEAR = ['2023-01', '2023-02', '2023-03'];
const LONDON: Clock = { now: new Date('2024-04-02T09:00:00Z'), timeZone: 'Europe/London', holidays: [] };

let root: string;
let caseNo = 0;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'lineofsight-quality-csv-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

interface Payment {
  ref: string;
  supplier: string;
  service: string;
  paid: string;
  amount: string;
  centre: string;
}

const HEADER = 'Transaction,Supplier,Service,Payment Date,Amount,Cost Centre';
const SERVICES = ['Housing', 'Waste', 'Planning'];

const SPEC: CsvSpec = csvSpecSchema.parse({
  files: '*.csv',
  fields: {
    ref: { header: 'Transaction' },
    supplier: { header: 'Supplier' },
    service: { header: 'Service' },
    paid: { header: 'Payment Date', type: 'date' },
    amount: { header: 'Amount', type: 'amount' },
    centre: { header: 'Cost Centre' },
  },
  date: 'paid',
});

/** `n` clean payments spread over January to March 2024, in date order. */
function payments(n: number): Payment[] {
  return Array.from({ length: n }, (_, i) => ({
    ref: `T${1000 + i}`,
    supplier: `Supplier ${i % 7}`,
    service: SERVICES[i % SERVICES.length] as string,
    paid: `${String(1 + (i % 28)).padStart(2, '0')}/${String(1 + Math.floor((i * 3) / n)).padStart(2, '0')}/2024`,
    amount: `${(500 + i * 12.5).toFixed(2)}`,
    centre: `C${100 + (i % 5)}`,
  }));
}

const cell = (text: string) => (/[",]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
const line = (p: Payment) => [p.ref, p.supplier, p.service, p.paid, p.amount, p.centre].map(cell).join(',');

/** The month id of a payment's dd/mm/yyyy date. */
const monthOf = (p: Payment) => `${p.paid.slice(6, 10)}-${p.paid.slice(3, 5)}`;

/** Writes `rows` as one file (data row i on line i + 2) and reads it with `checks` observing. */
async function run(rows: Payment[], configs: Record<string, unknown>[]) {
  const dir = path.join(root, `case-${++caseNo}`);
  mkdirSync(dir);
  const file = path.join(dir, 'payments.csv');
  writeFileSync(file, [HEADER, ...rows.map(line)].join('\r\n') + '\r\n');
  const list = configs.map((c) => checkSchema.parse(c));
  const checks = new CsvChecks(list, SPEC, calendar);
  const result = await readCsv({ directory: dir, spec: SPEC, aggregates: [{ fn: 'count', where: [] }], calendar, logger: silentLogger, observers: [checks.observer] });
  const byId = (id: string) => list.find((c) => c.id === id) as CheckConfig;
  // Checks of the rows alone are measured at once; reconciliation and referential, which read beyond the files, return a promise.
  const outcome = (id: string, months = Q4, lastYear = Q4_LAST_YEAR, ctx = LONDON) => checks.outcome(byId(id), months, lastYear, ctx) as CheckOutcome;
  return { checks, result, file, outcome, judged: (id: string, months = Q4) => judge(byId(id), outcome(id, months)) };
}

/** Data lines (1-based file lines) of the rows that satisfy `test`, in file order. */
const linesWhere = (rows: Payment[], test: (p: Payment, i: number) => boolean) => rows.flatMap((p, i) => (test(p, i) ? [i + 2] : []));

/** One of every CSV check type, all of which hold on `payments()`. */
const EVERY_TYPE = [
  { id: 'supplier_present', type: 'not_null', column: 'supplier' },
  { id: 'one_row_per_payment', type: 'unique', columns: ['ref'] },
  { id: 'known_service', type: 'accepted_values', column: 'service', values: SERVICES },
  { id: 'sane_amount', type: 'range', column: 'amount', min: 0, max: 1_000_000 },
  { id: 'ref_format', type: 'pattern', column: 'ref', regex: '^T\\d{4}$' },
  { id: 'centre_complete', type: 'completeness', column: 'centre', min_percent: 95 },
  { id: 'recent', type: 'freshness', column: 'paid', max_age: '7d' },
  { id: 'volume', type: 'row_count', min: 1 },
];

describe('the observer hook', () => {
  it('is told of every data row after skip_when, with its month and file line, and never of header, blank, skipped or malformed rows', async () => {
    const dir = path.join(root, `case-${++caseNo}`);
    mkdirSync(dir);
    const text = `${HEADER}\nT1,A,Housing,31/01/2024,1.00,C1\n,,,,,\nT2,B,Housing,01/02/2024,2.00,C1\nTOTAL,,,,3.00,\nT3,C,Housing,01/02/2024,oops,C1\n"T4\nwith a break",D,Waste,05/03/2024,4.00,C2\n`;
    writeFileSync(path.join(dir, 'a.csv'), text);
    const seen: [string, string, number][] = [];
    const observer: RowObserver = { observe: (row: Row, month, _file, at) => void seen.push([row.text[0] as string, month, at]) };
    const result = await readCsv({
      directory: dir,
      spec: { ...SPEC, skip_when: [{ field: 'ref', op: 'eq', value: 'TOTAL' }] },
      aggregates: [],
      calendar,
      logger: silentLogger,
      observers: [observer],
    });
    expect(result.rows).toEqual({ data: 3, blank: 1, skipped: 1, malformed: 1 });
    expect(seen).toEqual([
      ['T1', '2024-01', 2],
      ['T2', '2024-02', 4],
      ['T4\nwith a break', '2024-03', 7],
    ]);
  });
});

describe('every CSV check type', () => {
  it('passes on clean data, having checked every row of the period', async () => {
    const rows = payments(90);
    const { judged } = await run(rows, EVERY_TYPE);
    for (const check of EVERY_TYPE) {
      const result = judged(check.id);
      expect(result.status, `${check.id}: ${result.message}`).toBe('passed');
      expect(result.failing).toBe(0);
      if (result.checked !== null) expect(result.checked).toBe(rows.length);
    }
  });

  it('not_null fails on empty cells, with the file lines of the sample rows', async () => {
    const rows = payments(60);
    for (const i of [4, 17, 18, 45]) (rows[i] as Payment).supplier = '';
    (rows[30] as Payment).supplier = '   ';
    const { outcome, judged, file } = await run(rows, [{ id: 'supplier_present', type: 'not_null', column: 'supplier', key_columns: ['ref', 'supplier'] }]);
    const empty = linesWhere(rows, (p) => p.supplier.trim() === '');
    const result = judged('supplier_present');
    expect(result).toMatchObject({ status: 'failed', failing: empty.length, checked: rows.length });
    expect(outcome('supplier_present').sample).toEqual(
      rows.flatMap((p, i) => (p.supplier.trim() === '' ? [{ ref: p.ref, supplier: '', file, line: i + 2 }] : [])),
    );
  });

  it('accepted_values fails on values outside the list, and leaves empty cells to not_null', async () => {
    const rows = payments(60);
    (rows[3] as Payment).service = 'housing';
    (rows[40] as Payment).service = 'Parks';
    (rows[41] as Payment).service = '';
    const { outcome } = await run(rows, [{ id: 'known_service', type: 'accepted_values', column: 'service', values: SERVICES }]);
    const outside = rows.filter((p) => p.service !== '' && !SERVICES.includes(p.service));
    const result = outcome('known_service');
    expect(result.failing).toBe(outside.length);
    expect(result.sample.map((s) => s.service)).toEqual(outside.map((p) => p.service));
  });

  it('accepted_values compares an amount field by value', async () => {
    const rows = payments(30).map((p, i) => ({ ...p, amount: i % 2 ? '1,000.00' : '250' }));
    (rows[7] as Payment).amount = '999.99';
    const { outcome } = await run(rows, [{ id: 'tiers', type: 'accepted_values', column: 'amount', values: [250, '1000'] }]);
    expect(outcome('tiers').failing).toBe(1);
  });

  it('range fails below min and above max, reading amounts as the ledger writes them', async () => {
    const rows = payments(60);
    (rows[2] as Payment).amount = '(120.00)';
    (rows[9] as Payment).amount = '1,500,000.00';
    (rows[10] as Payment).amount = '1,000,000.00';
    (rows[11] as Payment).amount = '0.00';
    const { outcome } = await run(rows, [{ id: 'sane_amount', type: 'range', column: 'amount', min: 0, max: 1_000_000 }]);
    const result = outcome('sane_amount');
    expect(result.failing).toBe(2);
    expect(result.sample.map((s) => s.line)).toEqual([4, 11]);
  });

  it('pattern tests the text as written and fails on text that does not match', async () => {
    const rows = payments(60);
    (rows[5] as Payment).ref = 'T12';
    (rows[6] as Payment).ref = 'X1006';
    const { outcome } = await run(rows, [{ id: 'ref_format', type: 'pattern', column: 'ref', regex: '^T\\d{4}$' }]);
    const re = /^T\d{4}$/;
    expect(outcome('ref_format').failing).toBe(rows.filter((p) => !re.test(p.ref)).length);
  });

  it('completeness counts empty cells against every row checked', async () => {
    const rows = payments(80);
    for (let i = 0; i < 80; i += 9) (rows[i] as Payment).centre = '';
    const { judged } = await run(rows, [{ id: 'centre_complete', type: 'completeness', column: 'centre', min_percent: 95 }]);
    const empty = rows.filter((p) => p.centre === '').length;
    expect(empty / rows.length).toBeGreaterThan(0.05);
    expect(judged('centre_complete')).toMatchObject({ status: 'failed', failing: empty, checked: rows.length });
  });

  it('ignores types that are not row checks, and outcome says why they do not run', async () => {
    const { outcome, checks } = await run(payments(10), [
      { id: 'ratio', type: 'numerator_not_above_denominator' },
      { id: 'positive', type: 'no_negative' },
      { id: 'spike', type: 'sudden_change', indicator: 'X1', threshold: 3 },
      { id: 'custom', type: 'sql', query: 'select 1' },
      { id: 'ledger', type: 'reconciliation', left: { query: 'select 1' }, right: { query: 'select 1' }, tolerance: { absolute: 1 } },
      { id: 'centres_exist', type: 'referential', column: 'centre', references: { table: 'centres', column: 'code' } },
    ]);
    for (const id of ['ratio', 'positive', 'spike', 'custom']) expect(() => outcome(id)).toThrow(/not over CSV rows/);
    // Reconciliation and referential checks read beyond the files: a total, a database source.
    await expect(outcome('ledger')).rejects.toThrow(/reads a total beyond these files/);
    await expect(outcome('centres_exist')).rejects.toThrow(/database source/);
    expect(() => checks.values('ratio', Q4)).toThrow(/not over CSV rows/);
  });

  it('a check that cannot run throws its reason from outcome, and the others still run', async () => {
    const rows = payments(20);
    (rows[0] as Payment).supplier = '';
    const { outcome } = await run(rows, [
      { id: 'ghost', type: 'not_null', column: 'no_such_field' },
      { id: 'bad_regex', type: 'pattern', column: 'ref', regex: '(unclosed' },
      { id: 'text_range', type: 'range', column: 'supplier', min: 0 },
      { id: 'sql_where', type: 'not_null', column: 'supplier', where: 'amount > 0' },
      { id: 'supplier_present', type: 'not_null', column: 'supplier' },
    ]);
    expect(() => outcome('ghost')).toThrow(/"no_such_field" is not a declared csv field \(ref, supplier/);
    expect(() => outcome('bad_regex')).toThrow(/not a regular expression/);
    expect(() => outcome('text_range')).toThrow(/declare it type amount or number/);
    expect(() => outcome('sql_where')).toThrow(/list of conditions, not SQL/);
    expect(outcome('supplier_present').failing).toBe(1);
  });
});

describe('thresholds at their boundaries', () => {
  const rowsWithEmpty = (n: number, empty: number) => payments(n).map((p, i) => (i < empty ? { ...p, supplier: '' } : p));
  const config = { id: 'supplier_present', type: 'not_null', column: 'supplier' };

  it('a count: "> 3" holds at 3 failing rows and fails at 4', async () => {
    const at = await run(rowsWithEmpty(40, 3), [{ ...config, fail_when: '> 3' }]);
    expect(at.judged('supplier_present')).toMatchObject({ status: 'passed', failing: 3 });
    const past = await run(rowsWithEmpty(40, 4), [{ ...config, fail_when: '> 3' }]);
    expect(past.judged('supplier_present')).toMatchObject({ status: 'failed', failing: 4 });
  });

  it('a share: warn_when "> 10%" holds at exactly 10% and warns just past it; ">= 10%" fails at it', async () => {
    const at = await run(rowsWithEmpty(50, 5), [{ ...config, fail_when: '> 50%', warn_when: '> 10%' }]);
    expect(at.judged('supplier_present')).toMatchObject({ status: 'passed', failing: 5, checked: 50, share: 10 });
    const past = await run(rowsWithEmpty(50, 6), [{ ...config, fail_when: '> 50%', warn_when: '> 10%' }]);
    expect(past.judged('supplier_present')).toMatchObject({ status: 'warned', severity: 'warn', share: 12 });
    const inclusive = await run(rowsWithEmpty(50, 5), [{ ...config, fail_when: '>= 10%' }]);
    expect(inclusive.judged('supplier_present').status).toBe('failed');
  });

  it('completeness: min_percent 90 holds at exactly 90% and fails below it', async () => {
    const check = { id: 'complete', type: 'completeness', column: 'supplier', min_percent: 90 };
    expect((await run(rowsWithEmpty(50, 5), [check])).judged('complete').status).toBe('passed');
    expect((await run(rowsWithEmpty(50, 6), [check])).judged('complete').status).toBe('failed');
  });
});

describe('unique', () => {
  it('counts a duplicate whose copies fall in different months of the quarter, and neither month alone', async () => {
    const rows = payments(90);
    const jan = rows.findIndex((p) => monthOf(p) === '2024-01');
    const feb = rows.findIndex((p) => monthOf(p) === '2024-02');
    (rows[feb] as Payment).ref = (rows[jan] as Payment).ref;
    const { outcome, judged } = await run(rows, [{ id: 'one_row_per_payment', type: 'unique', columns: ['ref'] }]);
    expect(judged('one_row_per_payment')).toMatchObject({ status: 'failed', failing: 1, checked: 90 });
    expect(outcome('one_row_per_payment').sample).toEqual([{ ref: (rows[jan] as Payment).ref, copies: 2 }]);
    expect(outcome('one_row_per_payment', ['2024-01']).failing).toBe(0);
    expect(outcome('one_row_per_payment', ['2024-02']).failing).toBe(0);
    expect(outcome('one_row_per_payment', ['2024-01', '2024-02']).failing).toBe(1);
  });

  it('counts every copy past the first, compares typed fields by value, and ignores rows with an empty key', async () => {
    const rows = payments(60);
    const copy = (from: number, to: number, change: Partial<Payment> = {}) => (rows[to] = { ...(rows[from] as Payment), ref: `R${to}`, ...change });
    const original = (i: number) => rows[i] as Payment;
    // The same amount and date written another way are the same key.
    copy(45, 46, { amount: Number(original(45).amount).toLocaleString('en-GB', { minimumFractionDigits: 2 }) });
    expect(original(46).amount).toContain(',');
    copy(45, 55);
    copy(12, 13, { paid: `${original(12).paid.slice(6)}-${original(12).paid.slice(3, 5)}-${original(12).paid.slice(0, 2)}` });
    // An empty key cell is nobody's duplicate; text compares as written.
    copy(20, 21, { supplier: '' });
    copy(40, 41, { supplier: 'supplier 0' });
    const { outcome } = await run(rows, [{ id: 'no_duplicate_payment', type: 'unique', columns: ['supplier', 'paid', 'amount'], key_columns: ['supplier', 'amount'] }]);

    const keyOf = (p: Payment) => (p.supplier === '' ? undefined : `${p.supplier}|${p.paid.replace(/^(\d\d)\/(\d\d)\/(\d{4})$/, '$3-$2-$1')}|${Number(p.amount.replace(/,/g, ''))}`);
    const copies = new Map<string, number>();
    for (const p of rows) {
      const key = keyOf(p);
      if (key !== undefined) copies.set(key, (copies.get(key) ?? 0) + 1);
    }
    const duplicated = [...copies].filter(([, n]) => n > 1);
    const result = outcome('no_duplicate_payment');
    expect(result.failing).toBe(duplicated.reduce((sum, [, n]) => sum + n - 1, 0));
    expect(result.failing).toBe(3);
    expect(result.sample).toEqual(
      duplicated.map(([key, n]) => {
        const [supplier, , amount] = key.split('|');
        return { supplier, amount: Number(amount), copies: n };
      }),
    );
  });

  it('tells keys apart that share a hash', async () => {
    // T2119 and T552234 have the same 32-bit hash in the key log (found by searching T0, T1, ...),
    // so only comparing their values keeps them apart.
    const rows = payments(6);
    (rows[1] as Payment).ref = 'T2119';
    (rows[3] as Payment).ref = 'T552234';
    (rows[5] as Payment).ref = 'T552234';
    const { outcome } = await run(rows, [{ id: 'one_row_per_payment', type: 'unique', columns: ['ref'] }]);
    expect(outcome('one_row_per_payment')).toMatchObject({ failing: 1, sample: [{ ref: 'T552234', copies: 2 }] });
  });

  it('on a CSV source shows only the key in its sample, so other key_columns cannot run', async () => {
    const { outcome } = await run(payments(5), [{ id: 'u', type: 'unique', columns: ['ref'], key_columns: ['supplier'] }]);
    expect(() => outcome('u')).toThrow(/sample shows only ref/);
  });
});

describe('where and samples', () => {
  it('where narrows the rows a check counts and checks', async () => {
    const rows = payments(60);
    for (const i of [0, 1, 2, 3, 4, 5]) (rows[i] as Payment).supplier = '';
    const { outcome } = await run(rows, [
      { id: 'housing_supplier', type: 'not_null', column: 'supplier', where: [{ field: 'service', op: 'eq', value: 'Housing' }] },
      { id: 'big_supplier', type: 'not_null', column: 'supplier', where: [{ field: 'service', op: 'eq', value: 'Housing' }, { field: 'amount', op: 'gte', value: 520 }] },
    ]);
    const housing = rows.filter((p) => p.service === 'Housing');
    expect(outcome('housing_supplier')).toMatchObject({ failing: housing.filter((p) => p.supplier === '').length, checked: housing.length });
    const big = housing.filter((p) => Number(p.amount) >= 520);
    expect(outcome('big_supplier')).toMatchObject({ failing: big.filter((p) => p.supplier === '').length, checked: big.length });
    expect(outcome('big_supplier').failing).toBeLessThan(outcome('housing_supplier').failing);
  });

  it('keeps the first `sample` failing rows of each month and merges them in the order of the period', async () => {
    // Rows out of date order: a March failure comes first in the file.
    const rows = payments(90).reverse();
    rows.forEach((p, i) => {
      if (i % 4 === 0) p.supplier = '';
    });
    const { outcome } = await run(rows, [{ id: 'supplier_present', type: 'not_null', column: 'supplier', sample: 3, key_columns: ['ref'] }]);
    const failingIn = (month: string) => linesWhere(rows, (p) => p.supplier === '' && monthOf(p) === month);
    const result = outcome('supplier_present');
    expect(result.failing).toBe(rows.filter((p) => p.supplier === '').length);
    expect(result.sample.map((s) => s.line)).toEqual(failingIn('2024-01').slice(0, 3));
    expect(outcome('supplier_present', ['2024-03', '2024-01']).sample.map((s) => s.line)).toEqual(failingIn('2024-03').slice(0, 3));
    const twoMonths = outcome('supplier_present', ['2024-02', '2024-03'], [], LONDON);
    expect(twoMonths.sample).toHaveLength(3);
    expect(judge(checkSchema.parse({ id: 'supplier_present', type: 'not_null', column: 'supplier', sample: 3 }), twoMonths).sample).toHaveLength(3);
  });
});

describe('freshness', () => {
  /** Payments whose newest is `newest` (dd/mm/yyyy), the rest earlier in the quarter. */
  const upTo = (newest: string) => [...payments(20).map((p) => ({ ...p, paid: '02/01/2024' })), { ...(payments(1)[0] as Payment), ref: 'T9999', paid: newest }];

  it('"3d" compares calendar dates in the service timezone, at a fixed now', async () => {
    const { outcome } = await run(upTo('27/03/2024'), [{ id: 'recent', type: 'freshness', column: 'paid', max_age: '3d' }]);
    const at = (iso: string) => judge(checkSchema.parse({ id: 'recent', type: 'freshness', column: 'paid', max_age: '3d' }), outcome('recent', Q4, [], { ...LONDON, now: new Date(iso) }));
    expect(at('2024-03-30T23:30:00Z')).toMatchObject({ status: 'passed', message: expect.stringContaining('newest paid 2024-03-27 is 3 days old') });
    // An hour later it is 31 March in London: four days, however few hours have passed.
    expect(at('2024-03-31T00:30:00Z')).toMatchObject({ status: 'failed', message: expect.stringContaining('is 4 days old') });
  });

  it('"1 working day" skips the weekend: a Friday record is fresh on Monday and stale on Tuesday', async () => {
    const { outcome } = await run(upTo('15/03/2024'), [{ id: 'recent', type: 'freshness', column: 'paid', max_age: '1 working day' }]);
    const check = checkSchema.parse({ id: 'recent', type: 'freshness', column: 'paid', max_age: '1 working day' });
    const at = (iso: string, holidays: string[] = []) => judge(check, outcome('recent', Q4, [], { ...LONDON, now: new Date(iso), holidays }));
    expect(at('2024-03-16T10:00:00Z').status).toBe('passed');
    expect(at('2024-03-18T10:00:00Z').status).toBe('passed');
    expect(at('2024-03-19T10:00:00Z').status).toBe('failed');
    expect(at('2024-03-19T10:00:00Z', ['2024-03-18']).status).toBe('passed');
  });

  it('looks at every row read, not only the period', async () => {
    const { outcome } = await run(upTo('27/03/2024'), [{ id: 'recent', type: 'freshness', column: 'paid', max_age: '3d' }]);
    const jan = outcome('recent', ['2024-01'], [], { ...LONDON, now: new Date('2024-03-28T12:00:00Z') });
    expect(jan.failing).toBe(0);
    expect(jan.detail).toContain('2024-03-27');
  });
});

describe('row_count', () => {
  /** `lastYear` payments in January to March 2023 and `thisYear` in January to March 2024. */
  const years = (lastYear: number, thisYear: number) => [
    ...payments(lastYear).map((p) => ({ ...p, ref: `L${p.ref}`, paid: p.paid.replace('2024', '2023') })),
    ...payments(thisYear),
  ];

  it('compares the rows of the period with the same period last year', async () => {
    const rows = years(40, 50);
    const inQ4 = rows.filter((p) => Q4.includes(monthOf(p))).length;
    const lastQ4 = rows.filter((p) => Q4_LAST_YEAR.includes(monthOf(p))).length;
    expect(((inQ4 - lastQ4) / lastQ4) * 100).toBe(25);
    const { judged } = await run(rows, [
      { id: 'steady', type: 'row_count', within_percent_of_last_year: 20 },
      { id: 'loose', type: 'row_count', within_percent_of_last_year: 25 },
    ]);
    expect(judged('steady')).toMatchObject({ status: 'failed', message: expect.stringContaining(`${inQ4} rows in the period: +25.0% on last year's ${lastQ4}`) });
    expect(judged('loose').status).toBe('passed');
  });

  it('applies min and max to the rows in the period and in the check\'s where', async () => {
    const rows = years(40, 30);
    const housing = rows.filter((p) => p.service === 'Housing' && Q4.includes(monthOf(p))).length;
    const { judged } = await run(rows, [
      { id: 'at_least', type: 'row_count', min: 30 },
      { id: 'too_few', type: 'row_count', min: 31 },
      { id: 'housing', type: 'row_count', max: housing - 1, where: [{ field: 'service', op: 'eq', value: 'Housing' }] },
    ]);
    expect(judged('at_least').status).toBe('passed');
    expect(judged('too_few').status).toBe('failed');
    expect(judged('housing')).toMatchObject({ status: 'failed', message: expect.stringContaining(`${housing} rows in the period: more than ${housing - 1}`) });
  });
});

describe('referential', () => {
  it('collects the non-empty values of the period with their rows, for the caller to look up', async () => {
    const rows = payments(60);
    (rows[3] as Payment).centre = '';
    (rows[50] as Payment).centre = 'ZZ9';
    const { checks } = await run(rows, [{ id: 'centres_exist', type: 'referential', column: 'centre', references: { source: 'finance', table: 'cost_centres', column: 'code' } }]);
    const expected = (months: string[]) => {
      const counts = new Map<string, number>();
      for (const p of rows) if (p.centre !== '' && months.includes(monthOf(p))) counts.set(p.centre, (counts.get(p.centre) ?? 0) + 1);
      return counts;
    };
    expect(checks.values('centres_exist', Q4)).toEqual(expected(Q4));
    expect(checks.values('centres_exist', ['2024-03']).get('ZZ9')).toBe(1);
    expect(checks.values('centres_exist', ['2024-01'])).toEqual(expected(['2024-01']));
    expect(checks.values('centres_exist', ['2023-01']).size).toBe(0);
  });
});

describe('oxford_spend_over_500_2014-01_to_03.csv', () => {
  const file = path.resolve('open-data/oxford_spend_over_500_2014-01_to_03.csv');
  // The file's cells hold no quotes around line breaks, so splitting on commas outside quotes is enough.
  const records = readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((text, i) => ({ line: i + 1, cells: text.match(/("[^"]*"|[^,]*)(,|$)/g)?.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '')) ?? [] }));
  const header = records[0]!.cells;
  const data = records.slice(1).filter((r) => (r.cells[header.indexOf('body_name')] ?? '').trim() !== '');
  const caporrev = (r: (typeof data)[number]) => (r.cells[header.indexOf('caporrev')] ?? '').trim();

  it('checks caporrev and trans_no in the same pass as the aggregates', async () => {
    const spec = csvSpecSchema.parse({
      files: path.basename(file),
      fields: {
        body: { header: 'body_name' },
        paid: { header: 'paid_date', type: 'date' },
        amount: { header: 'amount', type: 'amount' },
        capital_or_revenue: { header: 'caporrev' },
        trans_no: { header: 'trans_no' },
      },
      date: 'paid',
      skip_when: [{ field: 'body', op: 'empty' }],
    });
    const list = [
      { id: 'caporrev_present', type: 'not_null', column: 'capital_or_revenue' },
      { id: 'revenue_only', type: 'accepted_values', column: 'capital_or_revenue', values: ['Revenue'], sample: 5, key_columns: ['trans_no', 'capital_or_revenue'] },
      { id: 'one_row_per_transaction', type: 'unique', columns: ['trans_no'] },
    ].map((c) => checkSchema.parse(c));
    const checks = new CsvChecks(list, spec, calendar);
    const result = await readCsv({ directory: path.dirname(file), spec, aggregates: [{ fn: 'count', where: [] }], calendar, logger: silentLogger, observers: [checks.observer] });
    const outcome = (i: number) => checks.outcome(list[i]!, ['2014-01', '2014-02', '2014-03'], [], LONDON) as CheckOutcome;

    expect(result.rows.data).toBe(data.length);
    expect(outcome(0)).toMatchObject({ failing: data.filter((r) => caporrev(r) === '').length, checked: data.length });
    const capital = data.filter((r) => caporrev(r) !== 'Revenue');
    expect(capital.length).toBeGreaterThan(300);
    const revenueOnly = outcome(1);
    expect(revenueOnly.failing).toBe(capital.length);
    // The sample is per month, so its first rows are January's.
    const january = capital.filter((r) => /\/01\/2014/.test(r.cells[header.indexOf('paid_date')] ?? ''));
    expect(revenueOnly.sample).toEqual(
      january.slice(0, 5).map((r) => ({ trans_no: r.cells[header.indexOf('trans_no')], capital_or_revenue: 'Capital', file, line: r.line })),
    );
    const transactions = new Set(data.map((r) => r.cells[header.indexOf('trans_no')]));
    expect(outcome(2)).toMatchObject({ failing: data.length - transactions.size, checked: data.length });
  });
});
