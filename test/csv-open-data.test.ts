/**
 * readCsv over the real council files in open-data/ (see open-data/SOURCES.md). Every
 * expected number is derived here from the file's own bytes by a simpler route (decode, split
 * lines, split cells by hand) rather than copied from a previous run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { loadConfig } from '../src/config/load.js';
import { csvSpecSchema, type Aggregation } from '../src/config/schema.js';
import { silentLogger } from '../src/logger.js';
import { combine, readCsv } from '../src/sources/csv/index.js';

const OPEN_DATA = path.resolve('open-data');
const calendar = new FinancialCalendar(4);

function decoded(file: string, encoding: string): string {
  return new TextDecoder(encoding).decode(readFileSync(path.join(OPEN_DATA, file)));
}

/** Cells of one physical line, honouring double quotes (enough for lines without line breaks in cells). */
function cellsOf(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') cells.push(cell), (cell = '');
    else cell += ch;
  }
  cells.push(cell);
  return cells;
}

/** Pence of an amount as the files print it: optional quotes, thousands commas, trailing minus. */
function pence(text: string): number {
  const negative = text.endsWith('-') || text.startsWith('-');
  const digits = text.replace(/[",-]/g, '');
  const [whole, fraction = ''] = digits.split('.');
  const p = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return negative ? -p : p;
}

function spec(fields: Record<string, unknown>, rest: Record<string, unknown>) {
  return csvSpecSchema.parse({ fields, ...rest });
}

const count: Aggregation = { fn: 'count', where: [] };
const sumOf = (field: string, where: Aggregation['where'] = []): Aggregation => ({ fn: 'sum', field, where });

describe('hyndburn_spend_2018-10.csv (windows-1252, bare CR line endings)', () => {
  const text = decoded('hyndburn_spend_2018-10.csv', 'windows-1252');
  const lines = text.split(/\r\n|\r|\n/).filter((l) => l !== '');
  const dataLines = lines.slice(1);

  it('reads every data row, and sums the amounts to the penny', async () => {
    expect(lines[0]).toContain('Net Amount(£)');
    const bytes = readFileSync(path.join(OPEN_DATA, 'hyndburn_spend_2018-10.csv'));
    const bareCr = bytes.filter((b, i) => b === 13 && bytes[i + 1] !== 10).length;
    expect(bareCr).toBe(dataLines.length);
    const totalPence = dataLines.reduce((t, l) => t + pence(cellsOf(l)[6] as string), 0);
    const byMonth = new Map<string, number>();
    for (const l of dataLines) {
      const [dd, mm, yyyy] = (cellsOf(l)[5] as string).split('/');
      byMonth.set(`${yyyy}-${mm}`, (byMonth.get(`${yyyy}-${mm}`) ?? 0) + 1);
      expect(dd).toMatch(/^\d\d$/);
    }

    const result = await readCsv({
      directory: OPEN_DATA,
      spec: spec(
        { paid: { header: 'Payment date', type: 'date' }, amount: { header: 'Net Amount(£)', type: 'amount' } },
        { files: 'hyndburn_spend_2018-10.csv', encoding: 'windows-1252', date: 'paid' },
      ),
      aggregates: [count, sumOf('amount')],
      calendar,
      logger: silentLogger,
    });

    expect(result.files).toEqual([path.join(OPEN_DATA, 'hyndburn_spend_2018-10.csv')]);
    expect(result.rows.data).toBe(dataLines.length);
    expect(result.rows.malformed).toBe(0);
    expect([...result.months.keys()]).toEqual([...byMonth.keys()].sort());
    for (const [month, n] of byMonth) expect(combine(result, [month], 0)).toBe(n);
    const total = combine(result, [...result.months.keys()], 1) as number;
    expect(Math.round(total * 100)).toBe(totalPence);
    expect(total).toBeCloseTo(totalPence / 100, 9);
  });
});

describe('hyndburn_spend_2023-12.csv (leading ,,,,,, row, "14 Nov 2023" dates, quoted thousands)', () => {
  const text = decoded('hyndburn_spend_2023-12.csv', 'windows-1252');
  const lines = text.split('\r\n').filter((l) => l !== '');
  const headerAt = lines.findIndex((l) => l.startsWith('Service Cost Centre'));
  const rows = lines.slice(headerAt + 1).map(cellsOf);
  const MONTHS = { Nov: '11', Dec: '12' } as Record<string, string>;

  it('skips the spacer row before the header and reads the named-month dates', async () => {
    expect(headerAt).toBe(1);
    expect(lines[0]).toBe(',,,,,,');
    const perMonth = new Map<string, { n: number; pence: number }>();
    for (const cells of rows) {
      const [, mon, yyyy] = (cells[5] as string).split(' ');
      const month = `${yyyy}-${MONTHS[mon as string]}`;
      const m = perMonth.get(month) ?? { n: 0, pence: 0 };
      m.n++;
      m.pence += pence(cells[6] as string);
      perMonth.set(month, m);
    }

    const result = await readCsv({
      directory: OPEN_DATA,
      spec: spec(
        {
          paid: { header: ['Payment date'], type: 'date' },
          amount: { header: ['Net Amount(£)', 'Net Amount (£)'], type: 'amount' },
          supplier: { header: 'Name' },
        },
        { files: 'hyndburn_spend_2023-12.csv', encoding: 'windows-1252', date: 'paid' },
      ),
      aggregates: [count, sumOf('amount'), { fn: 'max', field: 'amount', where: [] }],
      calendar,
      logger: silentLogger,
    });

    expect(result.rows).toEqual({ data: rows.length, blank: 1, skipped: 0, malformed: 0 });
    expect([...result.months.keys()]).toEqual([...perMonth.keys()].sort());
    for (const [month, m] of perMonth) {
      expect(combine(result, [month], 0)).toBe(m.n);
      expect(Math.round((combine(result, [month], 1) as number) * 100)).toBe(m.pence);
    }
    // The quoted amounts with thousands commas are read as numbers, not lost as malformed.
    const largest = Math.max(...rows.map((c) => pence(c[6] as string))) / 100;
    expect(largest).toBeGreaterThan(1000);
    expect(combine(result, [...perMonth.keys()], 2)).toBe(largest);
  });
});

describe('hyndburn_spend_2025-10.csv (BOM, spacer columns, "Name:  ", line breaks in quotes, trailing minus)', () => {
  const text = decoded('hyndburn_spend_2025-10.csv', 'utf-8');
  // Each record has exactly one payment date, followed by a spacer and the amount at the end of its line.
  const RECORD_END = /,(\d\d)\/(\d\d)\/(\d{4}),,("?)([\d,.]+-?)\4$/gm;
  const ends = [...text.replaceAll('\r', '').matchAll(RECORD_END)];

  const fields = {
    paid: { header: 'Payment Date', type: 'date' },
    amount: { header: 'Amount Paid', type: 'amount' },
    supplier: { header: 'Name:' },
    ref: { header: 'HBC Ref No.' },
    line: { header: 'line', type: 'number' },
    description: { header: 'Description' },
  };

  it('reads every record, signs trailing-minus amounts and sums them to the penny', async () => {
    const negatives = ends.filter((m) => (m[5] as string).endsWith('-'));
    const result = await readCsv({
      directory: OPEN_DATA,
      spec: spec(fields, { files: 'hyndburn_spend_2025-10.csv', date: 'paid' }),
      aggregates: [
        count,
        sumOf('amount'),
        { fn: 'count', where: [{ field: 'amount', op: 'lt', value: 0 }] },
        // Line 170: `...,CRINV0014249,,EDF - 1232400259 - ...,,,14/10/2025,,0.36-`, line 6 of its invoice.
        sumOf('amount', [
          { field: 'ref', op: 'eq', value: 'CRINV0014249' },
          { field: 'line', op: 'eq', value: 6 },
        ]),
        { fn: 'min', field: 'amount', where: [] },
        { fn: 'distinct_count', field: 'supplier', where: [] },
      ],
      calendar,
      logger: silentLogger,
    });

    expect([...readFileSync(path.join(OPEN_DATA, 'hyndburn_spend_2025-10.csv')).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(result.rows).toEqual({ data: ends.length, blank: 0, skipped: 0, malformed: 0 });
    expect([...result.months.keys()]).toEqual(['2025-10']);
    expect(combine(result, ['2025-10'], 0)).toBe(ends.length);
    const totalPence = ends.reduce((t, m) => t + pence(m[5] as string), 0);
    expect(Math.round((combine(result, ['2025-10'], 1) as number) * 100)).toBe(totalPence);
    expect(combine(result, ['2025-10'], 2)).toBe(negatives.length);
    expect(combine(result, ['2025-10'], 3)).toBe(-0.36);
    // Lines 12 and 362: `"165,546.00-"`, the largest credit.
    expect(combine(result, ['2025-10'], 4)).toBe(Math.min(...ends.map((m) => pence(m[5] as string))) / 100);
    expect(combine(result, ['2025-10'], 4)).toBe(-165546);
    expect(combine(result, ['2025-10'], 5)).toBeGreaterThan(1);
  });

  it('reports the physical line a record starts on, past quoted CRLF and LF line breaks', async () => {
    // A reference column read as a number makes every row malformed, each reported with its line.
    const physical = text.split(/\r\n|\r|\n/);
    const result = await readCsv({
      directory: OPEN_DATA,
      spec: spec({ ...fields, ref: { header: 'HBC Ref No.', type: 'number' } }, { files: 'hyndburn_spend_2025-10.csv', date: 'paid' }),
      aggregates: [count],
      calendar,
      logger: silentLogger,
    });
    expect(result.rows.malformed).toBe(ends.length);
    expect(result.malformed).toHaveLength(50);
    const spanning = result.malformed.filter((m, i) => (result.malformed[i + 1]?.line ?? m.line + 1) - m.line > 1);
    expect(spanning.length).toBeGreaterThan(0);
    for (const m of result.malformed) {
      const ref = /"(CR[A-Z]+\d+)"/.exec(m.message)?.[1] as string;
      expect(m.field).toBe('ref');
      // The record's reference is on its first line unless a quoted description broke it.
      const firstLines = physical.slice(m.line - 1, m.line + 2).join('\n');
      expect(firstLines).toContain(ref);
      expect(physical[m.line - 1]).toMatch(/^[A-Z]{4} - /);
    }
  });
});

describe('oxford_spend_over_500_2014-01_to_03.csv (snake_case headers, junk trailer)', () => {
  const text = decoded('oxford_spend_over_500_2014-01_to_03.csv', 'utf-8');
  const lines = text.split('\r\n').filter((l) => l !== '');
  const trailer = lines[lines.length - 1] as string;
  const dataLines = lines.slice(1, -1).map(cellsOf);
  const fields = {
    body: { header: 'body_name' },
    paid: { header: 'paid_date', type: 'date' },
    amount: { header: 'amount', type: 'amount' },
    supplier: { header: 'supplier_name' },
  };
  const quarter = calendar.parse('2013-14-Q4');
  const months = calendar.within(quarter, 'month').map((p) => p.id);

  it('skips the trailer with skip_when on an empty body_name', async () => {
    expect(trailer).toBe(',,xxx,,,,,,,');
    const result = await readCsv({
      directory: OPEN_DATA,
      spec: spec(fields, { files: '*oxford*.csv', date: 'paid', skip_when: [{ field: 'body', op: 'empty' }] }),
      aggregates: [count, sumOf('amount'), { fn: 'count', where: [{ field: 'amount', op: 'lt', value: 0 }] }],
      calendar,
      logger: silentLogger,
    });
    expect(result.rows).toEqual({ data: dataLines.length, blank: 0, skipped: 1, malformed: 0 });
    expect([...result.months.keys()]).toEqual(months);
    for (const month of months) {
      const [yyyy, mm] = month.split('-');
      const mine = dataLines.filter((c) => (c[4] as string).endsWith(`/${mm}/${yyyy}`));
      expect(combine(result, [month], 0)).toBe(mine.length);
      expect(Math.round((combine(result, [month], 1) as number) * 100)).toBe(mine.reduce((t, c) => t + pence(c[6] as string), 0));
    }
    expect(combine(result, months, 2)).toBe(dataLines.filter((c) => (c[6] as string).startsWith('-')).length);
  });

  it('counts the trailer as malformed, with its line, when nothing skips it', async () => {
    const result = await readCsv({
      directory: OPEN_DATA,
      spec: spec(fields, { files: ['oxford_spend_over_500_2014-01_to_03.csv'], date: 'paid' }),
      aggregates: [count],
      calendar,
      logger: silentLogger,
    });
    expect(result.rows).toEqual({ data: dataLines.length, blank: 0, skipped: 0, malformed: 1 });
    expect(result.malformed).toEqual([
      { file: path.join(OPEN_DATA, 'oxford_spend_over_500_2014-01_to_03.csv'), line: lines.length, field: 'paid', message: 'paid is empty' },
    ]);
  });
});

describe('trafford_planning_major_13wk_by_quarter.csv (quarter labels instead of dates)', () => {
  const rows = decoded('trafford_planning_major_13wk_by_quarter.csv', 'utf-8')
    .split('\n')
    .filter((l) => l !== '')
    .slice(1)
    .map(cellsOf);

  it('puts each quarter label in the first month of its quarter', async () => {
    const result = await readCsv({
      directory: OPEN_DATA,
      spec: spec(
        { area: { header: 'area_name' }, period: { header: 'period', type: 'date' }, value: { header: 'value', type: 'number' } },
        { files: 'trafford_*.csv', date: 'period' },
      ),
      aggregates: [count, { fn: 'mean', field: 'value', where: [{ field: 'area', op: 'eq', value: 'Trafford' }] }],
      calendar,
      logger: silentLogger,
    });
    const labels = [...new Set(rows.map((c) => c[2] as string))];
    expect(result.rows.data).toBe(rows.length);
    expect(result.months.size).toBe(labels.length);
    for (const label of labels) {
      const [fy, q] = label.split(' ') as [string, string];
      const period = calendar.parse(`${fy.replace('/', '-')}-${q}`);
      const month = period.start.slice(0, 7);
      expect(combine(result, [month], 0)).toBe(rows.filter((c) => c[2] === label).length);
      const trafford = rows.find((c) => c[1] === 'Trafford' && c[2] === label);
      expect(combine(result, calendar.within(period, 'month').map((p) => p.id), 1)).toBe(Number(trafford?.[6]));
    }
  });
});

describe('the shipped CSV pipelines over open-data/', () => {
  it('read every file in open-data/ whole: none left out, no row malformed', async () => {
    const config = await loadConfig('config/lineofsight.yaml', { LINEOFSIGHT_STORE_FILE: path.join(OPEN_DATA, 'unused.sqlite') });
    const readBy = new Set<string>();
    for (const pipeline of config.pipelines) {
      const source = config.service.sources[pipeline.source];
      if (source?.client !== 'csv' || path.resolve(source.directory) !== OPEN_DATA) continue;
      const result = await readCsv({ directory: source.directory, spec: pipeline.csv!, aggregates: [{ fn: 'count', where: [] }], calendar: config.calendar, logger: silentLogger, timeZone: config.service.timezone });
      expect(result.unread, pipeline.id).toEqual([]);
      expect(result.rows.malformed, pipeline.id).toBe(0);
      for (const file of result.files) readBy.add(path.basename(file));
    }
    expect([...readBy].sort()).toEqual(readdirSync(OPEN_DATA).filter((f) => f.endsWith('.csv')).sort());
  });
});
