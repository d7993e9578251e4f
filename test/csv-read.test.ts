/** readCsv over small files written for each case: bad input, encodings, several files. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinancialCalendar } from '../src/calendar/periods.js';
import { csvSpecSchema, type Aggregation } from '../src/config/schema.js';
import { silentLogger, type Logger } from '../src/logger.js';
import { checkMalformedLimit, combine, readCsv } from '../src/sources/csv/index.js';

const calendar = new FinancialCalendar();
let root: string;
let caseNo = 0;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'lineofsight-csv-'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A fresh directory holding `files`. */
function folder(files: Record<string, string | Buffer>): string {
  const dir = path.join(root, `case-${++caseNo}`);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const spendFields = {
  paid: { header: 'Payment Date', type: 'date' },
  amount: { header: ['Net Amount', 'Amount Paid'], type: 'amount' },
  supplier: { header: 'Name' },
};
const count: Aggregation = { fn: 'count', where: [] };
const sum: Aggregation = { fn: 'sum', field: 'amount', where: [] };

function read(directory: string, spec: Record<string, unknown>, aggregates: Aggregation[] = [count, sum], logger: Logger = silentLogger) {
  return readCsv({ directory, spec: csvSpecSchema.parse({ fields: spendFields, date: 'paid', ...spec }), aggregates, calendar, logger });
}

/** A logger whose JSON lines land in `lines`. */
function capturingLogger(): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

describe('rows', () => {
  it('skips blank rows before and after the header, and matches headers trimmed, collapsed and case-blind', async () => {
    const dir = folder({
      'a.csv': ',,\n\n  PAYMENT   date ,Net Amount  , name:\n01/04/2024,10.00,A\n,,\n , ,\n02/05/2024,"1,000.00",B\n',
    });
    const result = await read(dir, { files: 'a.csv', fields: { ...spendFields, supplier: { header: 'Name:' } } });
    expect(result.rows).toEqual({ data: 2, blank: 4, skipped: 0, malformed: 0 });
    expect([...result.months.keys()]).toEqual(['2024-04', '2024-05']);
    expect(combine(result, ['2024-05'], 1)).toBe(1000);
  });

  it('treats an empty amount as missing, not malformed', async () => {
    const dir = folder({ 'a.csv': 'Payment Date,Net Amount,Name\n01/04/2024,,A\n01/04/2024,5,B\n' });
    const result = await read(dir, { files: 'a.csv' }, [count, sum, { fn: 'count', field: 'amount', where: [] }]);
    expect(result.rows.malformed).toBe(0);
    expect([0, 1, 2].map((i) => combine(result, ['2024-04'], i))).toEqual([2, 5, 1]);
  });

  it('skips rows matching any skip_when condition', async () => {
    const dir = folder({ 'a.csv': 'Payment Date,Net Amount,Name\n01/04/2024,5,A\n01/04/2024,7,TOTAL\n,,\nxxx,,\n' });
    const result = await read(dir, {
      files: 'a.csv',
      skip_when: [
        { field: 'supplier', op: 'matches', value: '^TOTAL$' },
        { field: 'supplier', op: 'empty' },
      ],
    });
    expect(result.rows).toEqual({ data: 1, blank: 1, skipped: 2, malformed: 0 });
    expect(combine(result, ['2024-04'], 1)).toBe(5);
  });

  it('reads semicolon delimiters and stray quotes inside cells, and counts a short row as malformed', async () => {
    const dir = folder({ 'a.csv': 'Payment Date;Net Amount;Name\n01/04/2024;5;12" pipe\n01/04/2024;7\n' });
    const result = await read(dir, { files: 'a.csv', delimiter: ';' }, [count, sum, { fn: 'distinct_count', field: 'supplier', where: [] }]);
    expect(result.rows).toMatchObject({ data: 1, malformed: 1 });
    expect([0, 1, 2].map((i) => combine(result, ['2024-04'], i))).toEqual([1, 5, 1]);
  });
});

describe('malformed rows', () => {
  const file = 'Payment Date,Net Amount,Name\n01/04/2024,5,A\n31/02/2024,6,B\n"02/04/2024",lots,"C\nD"\n03/04/2024,7,E\n,8,F\n';

  it('are counted, logged as one structured line each with file, line, field and text, and kept for the report', async () => {
    const dir = folder({ 'spend.csv': file });
    const { logger, lines } = capturingLogger();
    const result = await read(dir, { files: 'spend.csv' }, [count, sum], logger);
    const at = path.join(dir, 'spend.csv');
    expect(result.rows).toEqual({ data: 2, blank: 0, skipped: 0, malformed: 3 });
    expect(combine(result, ['2024-04'], 1)).toBe(12);
    expect(result.malformed).toEqual([
      { file: at, line: 3, field: 'paid', message: 'paid "31/02/2024" is not a date' },
      { file: at, line: 4, field: 'amount', message: 'amount "lots" is not an amount' },
      { file: at, line: 7, field: 'paid', message: 'paid is empty' },
    ]);
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings.map(({ file, line, field, raw }) => ({ file, line, field, raw }))).toEqual([
      { file: at, line: 3, field: 'paid', raw: '31/02/2024' },
      { file: at, line: 4, field: 'amount', raw: 'lots' },
      { file: at, line: 7, field: 'paid', raw: '' },
    ]);
  });

  it('keeps only the first 50 for the report but counts them all', async () => {
    const dir = folder({ 'a.csv': 'Payment Date,Net Amount,Name\n' + 'someday,1,A\n'.repeat(120) });
    const result = await read(dir, { files: 'a.csv' });
    expect(result.rows.malformed).toBe(120);
    expect(result.malformed).toHaveLength(50);
    expect(result.malformed[49]?.line).toBe(51);
  });

  /** Whether a period's malformed rows pass max_malformed, as a period's run weighs them. */
  const limitFor = async (dir: string, spec: Record<string, unknown>, month: string) => {
    const result = await read(dir, spec);
    const parsed = csvSpecSchema.parse({ fields: spendFields, date: 'paid', ...spec });
    return () => checkMalformedLimit(parsed.max_malformed, month, combine(result, [month], 0) ?? 0, result.malformedRows.inMonths([month]));
  };

  it("fail a period's run past max_malformed as a count, naming the file and the counts", async () => {
    const dir = folder({ 'spend.csv': file, 'clean.csv': 'Payment Date,Net Amount,Name\n01/04/2024,5,A\n' });
    expect(await limitFor(dir, { files: '*.csv', max_malformed: 3 }, '2024-04')).not.toThrow();
    expect(await limitFor(dir, { files: '*.csv', max_malformed: 2 }, '2024-04')).toThrow(
      `3 of 6 data rows for 2024-04 (50.0%) are malformed, more than max_malformed 2 allows (${path.join(dir, 'spend.csv')}: 3); the first, ${path.join(dir, 'spend.csv')} line 3: paid "31/02/2024" is not a date`,
    );
  });

  it("fail a period's run past max_malformed as a share of its data rows", async () => {
    const good = '01/04/2024,1,A\n'.repeat(97);
    const dir = folder({ 'a.csv': 'Payment Date,Net Amount,Name\n' + good + 'x,1,A\n'.repeat(3) });
    expect(await limitFor(dir, { files: 'a.csv', max_malformed: '3%' }, '2024-04')).not.toThrow();
    expect(await limitFor(dir, { files: 'a.csv', max_malformed: '2.5%' }, '2024-04')).toThrow(/3 of 100 data rows for 2024-04 \(3\.0%\).*max_malformed 2\.5%.*a\.csv: 3/);
  });
});

describe('files', () => {
  it('reads every match of every glob, in sorted order, with headers that changed between files', async () => {
    const dir = folder({
      '2024/05.csv': 'Payment Date,Amount Paid,Name:  \n01/05/2024,"2,000.00-",B\n',
      '2024/04.csv': ',,,\nPayment Date,Net Amount,Name\n01/04/2024,10,A\n',
      'notes.txt': 'not a csv',
      'other/06.csv': 'Payment Date,Net Amount,Name\n01/06/2024,1,C\n',
    });
    const result = await read(dir, { files: ['2024/*.csv', 'other/*.csv', '2024/04.csv'], fields: { ...spendFields, supplier: { header: ['Name', 'Name:'] } } });
    expect(result.files).toEqual(['2024/04.csv', '2024/05.csv', 'other/06.csv'].map((f) => path.join(dir, f)));
    expect([...result.months.keys()]).toEqual(['2024-04', '2024-05', '2024-06']);
    expect(combine(result, ['2024-04', '2024-05', '2024-06'], 1)).toBe(-1989);
  });

  it('fail when a glob matches nothing, naming the pattern and directory', async () => {
    const dir = folder({ 'a.csv': 'Payment Date,Net Amount,Name\n' });
    await expect(read(dir, { files: ['a.csv', 'spend-*.csv'] })).rejects.toThrow(`csv.files pattern "spend-*.csv" matches no files in ${dir}`);
    await expect(read(path.join(dir, 'missing'), { files: '*.csv' })).rejects.toThrow(/matches no files in .*missing/);
  });

  it('fail when a declared column is missing, naming the file, the field and the headers found', async () => {
    const dir = folder({ 'a.csv': '\nPayment Date,,Amount,Supplier\n01/04/2024,,5,A\n' });
    await expect(read(dir, { files: 'a.csv' })).rejects.toThrow(
      `${path.join(dir, 'a.csv')}: the header row (line 2) has no column for field "amount" (header "Net Amount" or "Amount Paid"), field "supplier" (header "Name"); headers found: "Payment Date", "Amount", "Supplier"`,
    );
  });

  it('fail when a file has no header row', async () => {
    const dir = folder({ 'a.csv': ',,\n\n' });
    await expect(read(dir, { files: 'a.csv' })).rejects.toThrow(`${path.join(dir, 'a.csv')}: no header row`);
  });

  it('fail with the file name when the CSV itself is broken', async () => {
    const dir = folder({ 'a.csv': 'Payment Date,Net Amount,Name\n01/04/2024,5,"unclosed\n' });
    await expect(read(dir, { files: 'a.csv' })).rejects.toThrow(new RegExp(`^${path.join(dir, 'a.csv').replace(/[.\\]/g, '\\$&')}: .*quote`));
  });

  it('check the configuration before opening any file', async () => {
    const dir = path.join(root, 'never-created');
    await expect(read(dir, { files: '*.csv', date: 'when' })).rejects.toThrow(/csv.date "when" is not one of the declared fields/);
    await expect(read(dir, { files: '*.csv', date: 'amount' })).rejects.toThrow(/names a field of type amount/);
    await expect(read(dir, { files: '*.csv', skip_when: [{ field: 'nope', op: 'empty' }] })).rejects.toThrow(/"nope" is not a declared csv field/);
    await expect(read(dir, { files: '*.csv' }, [{ fn: 'sum', field: 'supplier', where: [] }])).rejects.toThrow(/the field is text/);
  });
});

describe('encodings', () => {
  const header = 'Payment Date,Net Amount,Name\r\n';
  const body = '01/04/2024,£1.50,Café €uro\r\n01/04/2024,2,Café €uro\r\n';
  const aggregates: Aggregation[] = [count, sum, { fn: 'count', where: [{ field: 'supplier', op: 'eq', value: 'Café €uro' }] }];

  it.each<[string, Buffer]>([
    ['utf-8', Buffer.from(header + body)],
    ['utf-8', Buffer.from('\ufeff' + header + body)],
    ['utf-16le', Buffer.from('\ufeff' + header + body, 'utf16le')],
    ['windows-1252', windows1252(header + body)],
  ])('%s', async (encoding, bytes) => {
    const result = await read(folder({ 'a.csv': bytes }), { files: 'a.csv', encoding }, aggregates);
    expect([0, 1, 2].map((i) => combine(result, ['2024-04'], i))).toEqual([2, 3.5, 2]);
  });

  it('latin1 is ISO-8859-1, not windows-1252', async () => {
    const bytes = Buffer.from(header + '01/04/2024,£1.50,Caf\u00e9\r\n', 'latin1');
    const result = await read(folder({ 'a.csv': bytes }), { files: 'a.csv', encoding: 'latin1' }, [
      sum,
      { fn: 'count', where: [{ field: 'supplier', op: 'eq', value: 'Café' }] },
    ]);
    expect([0, 1].map((i) => combine(result, ['2024-04'], i))).toEqual([1.5, 1]);
  });
});

/** Windows-1252 bytes of text whose only non-ASCII characters are £, é and €. */
function windows1252(text: string): Buffer {
  const special: Record<string, number> = { '£': 0xa3, é: 0xe9, '€': 0x80 };
  return Buffer.from([...text].map((ch) => special[ch] ?? ch.charCodeAt(0)));
}

describe('rows that would give a wrong number', () => {
  const header = 'Payment Date,Net Amount,Name\n';

  it('counts a row with more or fewer cells than the header as malformed and leaves it out, located', async () => {
    // An unquoted 1,000.50 splits into two cells, and every later column moves.
    const dir = folder({ 'a.csv': `${header}01/04/2024,5,A\n02/04/2024,1,000.50,B\n03/04/2024,7\n04/04/2024,8,C\n` });
    const result = await read(dir, { files: 'a.csv' });
    expect(result.rows).toEqual({ data: 2, blank: 0, skipped: 0, malformed: 2 });
    expect(combine(result, ['2024-04'], 1)).toBe(13);
    expect(result.malformed.map((m) => [m.line, m.message])).toEqual([
      [3, 'the row has 4 cells where the header has 3'],
      [4, 'the row has 2 cells where the header has 3'],
    ]);
  });

  it('checks the shape before skip_when, whose conditions would read the shifted cells', async () => {
    const dir = folder({ 'a.csv': `${header}01/04/2024,5,A\n03/04/2024,7\n` });
    const result = await read(dir, { files: 'a.csv', skip_when: [{ field: 'supplier', op: 'empty' }] });
    expect(result.rows).toMatchObject({ data: 1, skipped: 0, malformed: 1 });
  });

  it('puts a row of the wrong shape in the month its date reads, and one with no readable date in every month of its file', async () => {
    const dir = folder({ 'a.csv': `${header}01/04/2024,5,A\n02/04/2024,1,000.50,B\n01/05/2024,6,C\nsoon,7,D\n` });
    const result = await read(dir, { files: 'a.csv' });
    expect(result.malformedRows.inMonths(['2024-04']).count).toBe(2);
    expect(result.malformedRows.inMonths(['2024-05']).count).toBe(1);
    expect(result.malformedRows.inMonths(['2024-06']).count).toBe(0);
  });

  it('never makes a value of a number past what a double holds: a 400-digit amount is a malformed cell', async () => {
    const dir = folder({ 'a.csv': `${header}01/04/2024,${'9'.repeat(400)},A\n02/04/2024,5,B\n` });
    const result = await read(dir, { files: 'a.csv' });
    expect(result.rows.malformed).toBe(1);
    expect(result.malformed[0]).toMatchObject({ line: 2, field: 'amount' });
    expect(combine(result, ['2024-04'], 1)).toBe(5);
  });

  it('counts a cell with bytes that are not UTF-8 as malformed, rather than reading it as \uFFFD', async () => {
    const bytes = Buffer.concat([Buffer.from(`${header}01/04/2024,5,Caf`), Buffer.from([0xe9]), Buffer.from(' Ltd\n02/04/2024,6,B\n')]);
    const dir = folder({ 'a.csv': bytes });
    const result = await read(dir, { files: 'a.csv' });
    expect(result.malformed).toEqual([{ file: path.join(dir, 'a.csv'), line: 2, field: 'supplier', message: "supplier holds bytes that are not valid in the file's encoding (or U+FFFD, the mark left of such bytes)" }]);
    expect(combine(result, ['2024-04'], 1)).toBe(6);
  });

  it('reports an unclosed quote in a CRLF file at the line where it opens', async () => {
    const dir = folder({ 'a.csv': 'Payment Date,Net Amount,Name\r\n01/04/2024,5,A\r\n02/04/2024,6,B\r\n03/04/2024,7,"C\r\n04/04/2024,8,D\r\n' });
    await expect(read(dir, { files: 'a.csv' })).rejects.toThrow(/a\.csv: line 4: a quoted cell is never closed/);
  });
});

describe('spend files as councils publish them', () => {
  it('reads fields by column position from a file with no header row', async () => {
    const dir = folder({ 'a.csv': '01/04/2024,Acme,5.00\n02/04/2024,Bolt,"1,000.00"\n' });
    const fields = { paid: { column: 1, type: 'date' }, amount: { column: 3, type: 'amount' }, supplier: { column: 2 } };
    const result = await read(dir, { files: 'a.csv', header_line: 'none', fields });
    expect(result.rows).toEqual({ data: 2, blank: 0, skipped: 0, malformed: 0 });
    expect(combine(result, ['2024-04'], 1)).toBe(1005);
  });

  it('finds a header that is not the first line, skipping the title above it', async () => {
    const dir = folder({ 'a.csv': 'Hyndburn Borough Council,,\nPayments over £250,,\nPayment Date,Net Amount,Name\n01/04/2024,5,A\n' });
    const result = await read(dir, { files: 'a.csv', header_line: 3 });
    expect(result.rows).toEqual({ data: 1, blank: 0, skipped: 2, malformed: 0 });
    expect(combine(result, ['2024-04'], 1)).toBe(5);
  });

  it('puts an ISO 8601 instant with an offset on its day in the service timezone', async () => {
    const dir = folder({ 'a.csv': 'Payment Date,Net Amount,Name\n2024-03-31T23:30:00Z,5,A\n2024-03-31T22:30:00+00:00,6,B\n2024-01-31T23:30:00-02:00,7,C\n2024-03-01T00:30:00.250+0100,8,D\n' });
    const result = await readCsv({
      directory: dir,
      spec: csvSpecSchema.parse({ fields: spendFields, date: 'paid', files: 'a.csv' }),
      aggregates: [count, sum],
      calendar,
      logger: silentLogger,
      timeZone: 'Europe/London',
    });
    // 23:30 UTC on 31 March 2024 is 00:30 on 1 April in London (BST); 22:30 UTC is still 31 March.
    expect(combine(result, ['2024-04'], 1)).toBe(5);
    expect(combine(result, ['2024-03'], 1)).toBe(6);
    // 00:30 at +01:00 on 1 March is 23:30 UTC on 29 February, when London keeps UTC.
    expect(combine(result, ['2024-02'], 1)).toBe(7 + 8);
  });

  it.each(['cp850', 'cp437'])('reads %s, the DOS code page in which byte 0x9C is £', async (encoding) => {
    const bytes = Buffer.concat([Buffer.from('Payment Date,Net Amount,Name\n01/04/2024,'), Buffer.from([0x9c]), Buffer.from('5.00,A\n')]);
    const dir = folder({ 'a.csv': bytes });
    const result = await read(dir, { files: 'a.csv', encoding });
    expect(result.rows.malformed).toBe(0);
    expect(combine(result, ['2024-04'], 1)).toBe(5);
  });

  it('refuses a field whose column is past the header, rather than read it empty in every row', async () => {
    const dir = folder({ 'a.csv': 'Payment Date,Net Amount,Name\n01/04/2024,5,A\n' });
    await expect(read(dir, { files: 'a.csv', fields: { ...spendFields, amount: { column: 7, type: 'amount' } } })).rejects.toThrow(/field "amount" \(column 7, past the header's 3 cells\)/);
  });

  it('forgets the malformed rows of a file it leaves out half-way, as it does its values', async () => {
    const dir = folder({ 'a.csv': 'Payment Date,Net Amount,Name\n01/04/2024,5,A\n', 'b.csv': 'Payment Date,Net Amount,Name\n02/04/2024,lots,X\n02/04/2024,9,Y\n03/04/2024,6,"B\n' });
    const result = await read(dir, { files: '*.csv' });
    expect(combine(result, ['2024-04'], 1)).toBe(5);
    expect(result.malformedRows.inMonths(['2024-04'])).toMatchObject({ count: 0 });
    expect(result.malformed).toEqual([]);
    expect(result.unread.map((u) => path.basename(u.file))).toEqual(['b.csv']);
  });

  it('leaves out a file it cannot read and reads the others, naming the one left out', async () => {
    const dir = folder({ 'a.csv': 'Payment Date,Net Amount,Name\n01/04/2024,5,A\n', 'b.csv': 'Date,Value,Who\n01/04/2024,9,B\n' });
    const result = await read(dir, { files: '*.csv' });
    expect(combine(result, ['2024-04'], 1)).toBe(5);
    expect(result.unread).toEqual([{ file: path.join(dir, 'b.csv'), message: expect.stringMatching(/b\.csv: the header row \(line 1\) has no column for field "paid"/) }]);
  });
});

describe("max_malformed at a period's edge", () => {
  const period = (count: number) => ({ count, byFile: new Map([['a.csv', count]]), first: undefined });
  it.each([
    ['1%', 99, 1, false],
    ['1%', 98, 1, true], // 1 of 99 is just over 1%
    ['1%', 197, 3, true],
    ['1%', 0, 1, true],
    [0, 100, 1, true],
    [2, 10, 2, false],
    [2, 10, 3, true],
  ] as const)('%s with %i rows well formed and %i malformed refuses the period: %s', (limit, wellFormed, malformed, refused) => {
    const check = () => checkMalformedLimit(limit, '2024-04', wellFormed, period(malformed));
    if (refused) expect(check).toThrow(/for 2024-04/);
    else expect(check).not.toThrow();
  });
});
