import { symlinkSync, writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderTable } from '../src/cli/table.js';
import { csvLine } from '../src/text.js';
import { ConfigError } from '../src/config/problems.js';
import { loadConfig } from '../src/config/load.js';
import { runPipeline } from '../src/runs/execute.js';
import { matchFiles } from '../src/sources/csv/files.js';
import { bounded, quoted, shown } from '../src/text.js';
import { buildCli } from './helpers/build.js';
import { lineofsight } from './helpers/cli.js';
import { openRun } from './helpers/run.js';
import { workspace } from './helpers/workspace.js';

const PIPELINE = (files: string) => `
id: spend
title: Spend
source: exports
schedule: "0 6 * * *"
frequency: monthly
historical: true
csv:
  files: ${JSON.stringify(files)}
  fields:
    paid: { header: Paid, type: date }
    supplier: { header: Supplier }
  date: paid
indicators:
  - { id: SP1, title: Payments, type: count, value: { fn: count }, polarity: none, owner: A, service: Finance }
checks:
  - { id: supplier-known, type: accepted_values, column: supplier, values: [Acme Ltd] }
`;

const SERVICE = 'pipelines_dir: {{dir}}/pipelines\nstore: { client: sqlite, filename: {{dir}}/store.sqlite }\nsources:\n  exports: { client: csv, directory: {{dir}}/csv }\n';

describe('CSV file patterns stay in their source directory', () => {
  it.each(['../../../etc/passwd', '/etc/passwd', 'exports/../../secret.csv', '~/spend.csv'])('validate refuses %j', async (pattern) => {
    const ws = workspace({ 'lineofsight.yaml': SERVICE, 'pipelines/spend.yaml': PIPELINE(pattern), 'csv/.keep': '' });
    const err = await loadConfig(ws.config, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`)).toEqual([expect.stringMatching(/^csv\.files: the pattern (is an absolute path|climbs out of the source's directory with \.\.|names a home directory)/)]);
  });

  it('and a run refuses them, and a link out of the directory, quoting nothing of the file', async () => {
    const ws = workspace({ 'csv/spend.csv': 'Paid,Supplier\n01/04/2024,Acme Ltd\n' });
    symlinkSync('/etc/passwd', ws.file('csv/passwd.csv'));
    for (const pattern of ['../../../../../../etc/passwd', '/etc/passwd']) await expect(matchFiles(ws.file('csv'), pattern)).rejects.toThrow(/^csv\.files pattern ".*" (is an absolute path|climbs out)/);
    // A link is not followed: named alone, it matches nothing.
    expect(await matchFiles(ws.file('csv'), '*.csv')).toEqual([ws.file('csv/spend.csv')]);
    await expect(matchFiles(ws.file('csv'), 'passwd.csv')).rejects.toThrow(/^csv\.files pattern "passwd\.csv" matches no files in /);
  });
});

describe('messages are bounded, whatever the input', () => {
  it.each([
    ['a short input, whole', 'Acme', 60, '"Acme"'],
    ['a long one, its prefix and length', 'x'.repeat(100), 10, '"xxxxxxxxxx"... (100 characters)'],
  ])('quotes %s', (_name, text, max, expected) => {
    expect(quoted(text, max)).toBe(expected);
  });

  it('cuts a message, saying how much was left out', () => {
    expect(bounded('y'.repeat(1500))).toBe(`${'y'.repeat(1000)}... (500 more characters)`);
  });

  it('records, logs and prints a short prefix of a 5 MB line with no line break', async () => {
    const ws = workspace({ 'lineofsight.yaml': SERVICE, 'pipelines/spend.yaml': PIPELINE('*.csv'), 'csv/huge.csv': 'Z'.repeat(5_000_000) });
    const config = await loadConfig(ws.config, {});
    const open = await openRun(config);
    try {
      const [run] = await runPipeline(open.ctx, config.pipelines[0]!, [config.calendar.parse('2024-04')]);
      expect(run!.outcome).toBe('failed');
      expect(run!.error!.length).toBeLessThan(1200);
      expect(run!.error).toMatch(/headers found: "Z{40}"\.\.\. \(5,000,000 characters\)/);
      const [stored] = await open.store.runs.runsOf('spend');
      expect(stored!.error).toBe(run!.error);
    } finally {
      await open.close();
    }
    const r = lineofsight(['run', 'spend', '--period', '2024-04', '--config', ws.config]);
    expect(r.status).toBe(1);
    expect(r.stdout.length + r.stderr.length).toBeLessThan(5000);
  });
});

describe('nothing from data reaches a terminal raw', () => {
  it.each([
    ['an escape sequence', 'Acme\u001b[2J Ltd', 'Acme\\u001b[2J Ltd'],
    ['a bell and a line break', 'a\u0007b\nc', 'a\\u0007b\\nc'],
    ['a right-to-left override', 'abc\u202edef', 'abc\\u202edef'],
    ['plain text and pounds', '£1,234 Acme', '£1,234 Acme'],
  ])('shows %s escaped', (_name, text, expected) => {
    expect(shown(text)).toBe(expected);
    expect(renderTable(['supplier'], [[text]]).split('\n')[2]).toBe(expected);
  });

  it('colours only the cells the table paints itself', () => {
    expect(renderTable(['rag'], [[{ text: 'RED', code: '31' }], ['\u001b[31mRED']])).toBe(`rag\n${'-'.repeat(13)}\n\u001b[31mRED\u001b[0m\n\\u001b[31mRED`);
  });

  it.each([
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+44 1234', "'+44 1234"],
    ['-2 credit', "'-2 credit"],
    ['@cmd', "'@cmd"],
    ['\tindent', "'\tindent"],
    ['\rline', `"'\rline"`],
    [-12.5, '-12.5'],
    [0, '0'],
    ['Acme Ltd', 'Acme Ltd'],
    ['a, b', '"a, b"'],
  ] as const)('writes the CSV cell %j as %j', (value, cell) => {
    expect(csvLine([value])).toBe(cell);
  });

  describe('in checks show', () => {
    beforeAll(buildCli);

    it('escapes control characters of sample rows and messages', () => {
      const ws = workspace({ 'lineofsight.yaml': SERVICE, 'pipelines/spend.yaml': PIPELINE('*.csv'), 'csv/spend.csv': '' });
      writeFileSync(ws.file('csv/spend.csv'), 'Paid,Supplier\n01/04/2024,Acme Ltd\n02/04/2024,"Evil\u001b[2J\u0007 Ltd"\n');
      const run = lineofsight(['run', 'spend', '--period', '2024-04', '--config', ws.config]);
      expect(run.stdout).not.toMatch(/\u001b|\u0007/);
      const show = lineofsight(['checks', 'show', '1', '--config', ws.config]);
      expect(show.status).toBe(0);
      expect(show.stdout).toContain('Evil\\u001b[2J\\u0007 Ltd');
      expect(show.stdout).not.toMatch(/\u001b|\u0007/);
    });
  });
});
