import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON log lines on stderr, so that stdout carries only what a command prints (tables,
 * --json) and can be piped. LINEOFSIGHT_LOG_LEVEL sets the level (default info).
 */
export function createLogger(level = process.env.LINEOFSIGHT_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'lineofsight' } }, pino.destination(2));
}

/** A logger that drops everything: for library callers and tests that assert on results instead. */
export const silentLogger: Logger = pino({ level: 'silent' });
