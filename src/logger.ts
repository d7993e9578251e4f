import { isatty } from 'node:tty';
import { pino, type DestinationStream, type Logger } from 'pino';
import { shown } from './text.js';

export type { Logger };

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof FORMATS)[number];

/** Where log lines go: stderr by default; a test's stream, or any other, otherwise. */
export interface LogOutput {
  /** LINEOFSIGHT_LOG_FORMAT and NO_COLOR are read from here; process.env by default. */
  env?: NodeJS.ProcessEnv;
  /** What lines are written to; stderr by default. Its isTTY and hasColors() choose the format and colour. */
  stream?: { write(line: string): unknown; isTTY?: boolean; hasColors?(env?: NodeJS.ProcessEnv): boolean };
}

/**
 * Log lines on stderr, so that stdout carries only what a command prints (tables, --json) and can
 * be piped. LINEOFSIGHT_LOG_LEVEL sets the level; `fallback` when it is not set. Structured JSON
 * (pino's) when stderr is not a terminal, for a log collector; readable lines when it is
 * (`07:00:01 INFO  run succeeded  pipeline=waste period=2026-10`), the level coloured where the
 * terminal has colours and NO_COLOR is not set. LINEOFSIGHT_LOG_FORMAT=json|pretty chooses either.
 */
export function createLogger(fallback = 'info', level = process.env.LINEOFSIGHT_LOG_LEVEL ?? fallback, output: LogOutput = {}): Logger {
  if (!LEVELS.includes(level)) throw new Error(`LINEOFSIGHT_LOG_LEVEL "${level.slice(0, 40)}" is not one of ${LEVELS.join(', ')}`);
  const env = output.env ?? process.env;
  const stream = output.stream;
  const tty = stream ? stream.isTTY === true : isatty(2);
  const format = logFormat(env.LINEOFSIGHT_LOG_FORMAT, tty);
  const options = { level, base: { service: 'lineofsight' } };
  const destination: DestinationStream = stream ?? pino.destination(2);
  if (format === 'json') return pino(options, destination);
  const colours = tty && !env.NO_COLOR && (stream ? stream.hasColors?.(env) === true : process.stderr.hasColors?.(env) === true);
  return pino(options, prettyStream(destination, { colours }));
}

/** The format LINEOFSIGHT_LOG_FORMAT asks for, or when it is not set the one that suits stderr. */
export function logFormat(value: string | undefined, tty: boolean): LogFormat {
  if (value === undefined || value === '') return tty ? 'pretty' : 'json';
  if (!(FORMATS as readonly string[]).includes(value)) throw new Error(`LINEOFSIGHT_LOG_FORMAT "${value.slice(0, 40)}" is not one of ${FORMATS.join(', ')}`);
  return value as LogFormat;
}

/** A destination that writes each of pino's JSON lines to `out` as a readable line. */
export function prettyStream(out: DestinationStream, options: PrettyOptions = {}): DestinationStream {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) out.write(`${prettyLine(line, options)}\n`);
    },
  };
}

export interface PrettyOptions {
  /** ANSI colour on the level. */
  colours?: boolean;
}

const LEVEL_NAMES: Record<number, { name: string; colour: number }> = {
  10: { name: 'TRACE', colour: 90 },
  20: { name: 'DEBUG', colour: 36 },
  30: { name: 'INFO', colour: 32 },
  40: { name: 'WARN', colour: 33 },
  50: { name: 'ERROR', colour: 31 },
  60: { name: 'FATAL', colour: 35 },
};

/** Fields every line has, or that say nothing on a terminal. */
const OMITTED = new Set(['level', 'time', 'msg', 'service', 'pid', 'hostname']);

/** Longest message, field value and line, in characters: a huge value never floods the terminal. */
export const LIMITS = { message: 500, value: 200, line: 2000 };

/** Nested objects are shown as `a.b.c=value` down to this depth, then as JSON. */
const DEPTH = 3;

/**
 * One of pino's JSON lines as `HH:MM:SS LEVEL message  key=value ...`: local time, the fields
 * in the order logged (nested objects as dotted keys, arrays as JSON), an error as its type and
 * message (its stack stays in the JSON format); control characters escaped, so one entry is one
 * line, and every part cut to a bound. A line that is not JSON is shown as it is, escaped.
 */
export function prettyLine(json: string, options: PrettyOptions = {}): string {
  let entry: Record<string, unknown>;
  try {
    const parsed = JSON.parse(json) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    entry = parsed as Record<string, unknown>;
  } catch {
    return cut(shown(json), LIMITS.line);
  }
  const known = typeof entry.level === 'number' ? LEVEL_NAMES[entry.level] : undefined;
  const name = (known?.name ?? String(entry.level ?? 'LOG').toUpperCase().slice(0, 5)).padEnd(5);
  const level = options.colours && known ? `\u001b[${known.colour}m${name}\u001b[39m` : name;
  const message = typeof entry.msg === 'string' ? entry.msg : entry.msg === undefined ? '' : JSON.stringify(entry.msg);
  const fields: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (OMITTED.has(key) || value === undefined) continue;
    if (key === 'err') fields.push(`err=${asValue(errorText(value, message))}`);
    else fields.push(...flattened(shown(key), value, 1));
  }
  const head = `${clock(entry.time)} ${level}${message ? ` ${cut(shown(message), LIMITS.message)}` : ''}`;
  return cut(fields.length ? `${head}  ${fields.join(' ')}` : head, LIMITS.line + (level.length - name.length));
}

/** HH:MM:SS of pino's time (Unix milliseconds) in local time; blank when there is none. */
function clock(time: unknown): string {
  if (typeof time !== 'number') return '--:--:--';
  const d = new Date(time);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** An error as pino serialises it (type, message, stack): `Type: message`, or `Type` when the line's message is already its message. */
function errorText(err: unknown, message: string): string {
  if (typeof err !== 'object' || err === null) return typeof err === 'string' ? err : JSON.stringify(err);
  const e = err as { type?: unknown; message?: unknown };
  const type = typeof e.type === 'string' ? e.type : 'Error';
  if (typeof e.message !== 'string') return JSON.stringify(err);
  return e.message === message ? type : `${type}: ${e.message}`;
}

function flattened(key: string, value: unknown, depth: number): string[] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && depth < DEPTH) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length) return entries.flatMap(([k, v]) => flattened(`${key}.${shown(k)}`, v, depth + 1));
  }
  return [`${key}=${valueText(value)}`];
}

function valueText(value: unknown): string {
  if (typeof value === 'string') return asValue(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return cut(shown(JSON.stringify(value) ?? String(value)), LIMITS.value);
}

/** A string bare when it is one plain word, else quoted as JSON; cut to its bound. */
function asValue(text: string): string {
  const t = text.length > LIMITS.value ? text.slice(0, LIMITS.value) : text;
  const word = t !== '' && /^[^\s"'=\\\u0000-\u001f\u007f-\u009f\u2028\u2029]+$/.test(t);
  const body = word ? t : shown(JSON.stringify(t));
  return text.length > LIMITS.value ? `${body}…(${text.length - LIMITS.value} more)` : body;
}

function cut(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}…(${text.length - limit} more)` : text;
}

/** A logger that drops everything: for library callers and tests that assert on results instead. */
export const silentLogger: Logger = pino({ level: 'silent' });
