import { pino, type Logger } from 'pino';

export type { Logger };

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Structured JSON log lines on stderr, so that stdout carries only what a command prints (tables,
 * --json) and can be piped. LINEOFSIGHT_LOG_LEVEL sets the level; `fallback` when it is not set.
 */
export function createLogger(fallback = 'info', level = process.env.LINEOFSIGHT_LOG_LEVEL ?? fallback): Logger {
  if (!LEVELS.includes(level)) throw new Error(`LINEOFSIGHT_LOG_LEVEL "${level.slice(0, 40)}" is not one of ${LEVELS.join(', ')}`);
  return pino({ level, base: { service: 'lineofsight' } }, pino.destination(2));
}

/** A logger that drops everything: for library callers and tests that assert on results instead. */
export const silentLogger: Logger = pino({ level: 'silent' });
