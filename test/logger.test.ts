import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createLogger, LIMITS, logFormat, prettyLine, type LogOutput } from '../src/logger.js';

/** 07:00:01 local time, as pino writes it (Unix milliseconds). */
const AT = new Date(2026, 9, 1, 7, 0, 1).getTime();
const line = (fields: Record<string, unknown>) => JSON.stringify({ level: 30, time: AT, service: 'lineofsight', ...fields });

/** A terminal (or not) that keeps what is written to it. */
function terminal(isTTY: boolean, colours = true): { stream: NonNullable<LogOutput['stream']>; written: string[] } {
  const written: string[] = [];
  return { written, stream: { isTTY, hasColors: () => colours, write: (s: string) => void written.push(s) } };
}

describe('a readable log line', () => {
  it.each([
    ['info with fields in the order logged', { msg: 'run succeeded', pipeline: 'waste', period: '2026-10', run: 12 }, '07:00:01 INFO  run succeeded  pipeline=waste period=2026-10 run=12'],
    ['trace', { level: 10, msg: 'sql' }, '07:00:01 TRACE sql'],
    ['debug', { level: 20, msg: 'query', ms: 1.5 }, '07:00:01 DEBUG query  ms=1.5'],
    ['warn', { level: 40, msg: 'email not sent now', retryInSeconds: 60 }, '07:00:01 WARN  email not sent now  retryInSeconds=60'],
    ['error', { level: 50, msg: 'store not reachable', err: 'connect ECONNREFUSED 127.0.0.1:5432' }, '07:00:01 ERROR store not reachable  err="connect ECONNREFUSED 127.0.0.1:5432"'],
    ['fatal', { level: 60, msg: 'gone' }, '07:00:01 FATAL gone'],
    ['no message', { msg: undefined, scheduler: true }, '07:00:01 INFO   scheduler=true'],
    ['booleans, null, empty and spaced strings', { a: false, b: null, c: '', d: 'two words', e: 'say "hi"', f: 'k=v' }, '07:00:01 INFO  m  a=false b=null c="" d="two words" e="say \\"hi\\"" f="k=v"'],
    ['nested objects as dotted keys, deeper ones as JSON', { store: { name: 'SQLite x', pool: { max: 4, deep: { er: 1 } } } }, '07:00:01 INFO  m  store.name="SQLite x" store.pool.max=4 store.pool.deep={"er":1}'],
    ['arrays as JSON', { problems: [{ file: 'a.yaml', line: 3 }, 'b'] }, '07:00:01 INFO  m  problems=[{"file":"a.yaml","line":3},"b"]'],
    ['an empty object', { detail: {} }, '07:00:01 INFO  m  detail={}'],
    ['an error with its own message', { level: 50, msg: 'cycle failed', err: { type: 'StoreFault', message: 'store (SQLite x): no such table', stack: 'StoreFault: ...\n    at x' } }, '07:00:01 ERROR cycle failed  err="StoreFault: store (SQLite x): no such table"'],
    ['an error that is the message', { level: 50, msg: 'bad thing', err: { type: 'TypeError', message: 'bad thing', stack: 'TypeError: bad thing\n    at y' } }, '07:00:01 ERROR bad thing  err=TypeError'],
    ['control characters escaped, never a second line or a terminal escape', { msg: 'one\ntwo\u001b[31m', who: 'a\tb\u009b' }, '07:00:01 INFO  one\\ntwo\\u001b[31m  who="a\\tb\\u009b"'],
  ])('%s', (_what, fields, expected) => {
    expect(prettyLine(line({ msg: 'm', ...fields }))).toBe(expected);
  });

  it('cuts a huge value, a huge message and a huge line to their bounds', () => {
    const value = prettyLine(line({ msg: 'm', big: 'x'.repeat(5000) }));
    expect(value).toBe(`07:00:01 INFO  m  big=${'x'.repeat(LIMITS.value)}…(${5000 - LIMITS.value} more)`);
    const message = prettyLine(line({ msg: 'y'.repeat(5000) }));
    expect(message).toBe(`07:00:01 INFO  ${'y'.repeat(LIMITS.message)}…(${5000 - LIMITS.message} more)`);
    const many = prettyLine(line({ msg: 'm', ...Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`field${i}`, 'z'.repeat(50)])) }));
    expect(many.length).toBeLessThan(LIMITS.line + 30);
    expect(many).toMatch(/…\(\d+ more\)$/);
    const array = prettyLine(line({ msg: 'm', rows: Array.from({ length: 1000 }, (_, i) => i) }));
    expect(array.length).toBeLessThan(LIMITS.value + 60);
  });

  it('colours the level alone, when asked', () => {
    expect(prettyLine(line({ level: 50, msg: 'failed', run: 3 }), { colours: true })).toBe('07:00:01 \u001b[31mERROR\u001b[39m failed  run=3');
    expect(prettyLine(line({ msg: 'ok' }), { colours: true })).toBe('07:00:01 \u001b[32mINFO \u001b[39m ok');
  });

  it('shows a line that is not JSON as it is, escaped', () => {
    expect(prettyLine('not json\u001b')).toBe('not json\\u001b');
  });
});

describe('createLogger', () => {
  it('writes pino JSON unchanged when stderr is not a terminal', () => {
    const t = terminal(false);
    const logger = createLogger('info', 'info', { env: {}, stream: t.stream });
    logger.info({ pipeline: 'waste', nested: { a: 1 } }, 'run succeeded');
    logger.error(new Error('boom'));
    logger.debug('not at this level');
    const [a, b] = t.written.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(t.written).toHaveLength(2);
    expect(t.written.every((l) => l.endsWith('}\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    expect(a).toEqual({ level: 30, time: expect.any(Number), service: 'lineofsight', pipeline: 'waste', nested: { a: 1 }, msg: 'run succeeded' });
    expect(b).toMatchObject({ level: 50, msg: 'boom', err: { type: 'Error', message: 'boom', stack: expect.stringContaining('Error: boom') } });
    // The same bytes pino itself writes with the same options.
    const plain: string[] = [];
    pino({ level: 'info', base: { service: 'lineofsight' }, timestamp: () => ',"time":1' }, { write: (s: string) => void plain.push(s) }).info({ pipeline: 'waste', nested: { a: 1 } }, 'run succeeded');
    expect(t.written[0]!.replace(/"time":\d+/, '"time":1')).toBe(plain[0]);
  });

  it('writes readable lines on a terminal, coloured where it has colours and NO_COLOR is not set', () => {
    const colour = terminal(true, true);
    createLogger('info', 'info', { env: {}, stream: colour.stream }).warn({ run: 1 }, 'late');
    expect(colour.written).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d \u001b\[33mWARN \u001b\[39m late {2}run=1\n$/)]);
    const noColour = terminal(true, true);
    createLogger('info', 'info', { env: { NO_COLOR: '1' }, stream: noColour.stream }).warn({ run: 1 }, 'late');
    expect(noColour.written).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d WARN  late {2}run=1\n$/)]);
    const mono = terminal(true, false);
    createLogger('info', 'info', { env: {}, stream: mono.stream }).warn('late');
    expect(mono.written).toEqual([expect.stringMatching(/^\d\d:\d\d:\d\d WARN  late\n$/)]);
  });

  it.each([
    ['unset, a terminal', undefined, true, 'pretty'],
    ['unset, not a terminal', undefined, false, 'json'],
    ['empty, a terminal', '', true, 'pretty'],
    ['json on a terminal', 'json', true, 'json'],
    ['pretty into a pipe', 'pretty', false, 'pretty'],
  ] as const)('LINEOFSIGHT_LOG_FORMAT %s: %s', (_what, value, tty, format) => {
    expect(logFormat(value, tty)).toBe(format);
    const t = terminal(tty, true);
    createLogger('info', 'info', { env: value === undefined ? {} : { LINEOFSIGHT_LOG_FORMAT: value }, stream: t.stream }).info({ run: 2 }, 'hello');
    expect(t.written).toHaveLength(1);
    if (format === 'json') expect(JSON.parse(t.written[0]!)).toMatchObject({ msg: 'hello', run: 2 });
    // Piped, a pretty line has no colour.
    else expect(t.written[0]).toMatch(tty ? /^\d\d:\d\d:\d\d \u001b\[32mINFO \u001b\[39m hello {2}run=2\n$/ : /^\d\d:\d\d:\d\d INFO  hello {2}run=2\n$/);
  });

  it('refuses a LINEOFSIGHT_LOG_FORMAT it does not know, as it refuses a level', () => {
    expect(() => createLogger('info', 'info', { env: { LINEOFSIGHT_LOG_FORMAT: 'xml' }, stream: terminal(false).stream })).toThrow('LINEOFSIGHT_LOG_FORMAT "xml" is not one of json, pretty');
    expect(() => createLogger('info', 'info', { env: { LINEOFSIGHT_LOG_FORMAT: 'JSON' }, stream: terminal(false).stream })).toThrow(/is not one of json, pretty/);
    expect(() => createLogger('info', 'loud')).toThrow('LINEOFSIGHT_LOG_LEVEL "loud" is not one of fatal, error, warn, info, debug, trace, silent');
  });

  it('keeps its old signature: a fallback level, and the level from LINEOFSIGHT_LOG_LEVEL', () => {
    const saved = process.env.LINEOFSIGHT_LOG_LEVEL;
    try {
      delete process.env.LINEOFSIGHT_LOG_LEVEL;
      expect(createLogger('warn').level).toBe('warn');
      expect(createLogger().level).toBe('info');
      process.env.LINEOFSIGHT_LOG_LEVEL = 'debug';
      expect(createLogger('warn').level).toBe('debug');
    } finally {
      if (saved === undefined) delete process.env.LINEOFSIGHT_LOG_LEVEL;
      else process.env.LINEOFSIGHT_LOG_LEVEL = saved;
    }
  });
});
