import { parseLocalDate, zonedInstant } from '../calendar/localDate.js';

/**
 * The values a read model's filters take, checked the same way whichever front end was given
 * them (a CLI option, a query parameter): `name` is how that front end names the filter.
 */
export class FilterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterError';
  }
}

export function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new FilterError(`${name} is one of ${allowed.join(', ')}, not "${value}"`);
  return value as T;
}

/** A calendar date, YYYY-MM-DD, that exists. */
export function dateFilter(name: string, value: string): string {
  if (!parseLocalDate(value)) throw new FilterError(`${name} takes a date such as 2024-06-01, not "${value}"`);
  return value;
}

/**
 * A date (from its midnight in the service's timezone) or an instant with its offset
 * (2026-04-02T06:00:00Z), as the ISO 8601 UTC text the store compares its times with.
 */
export function instantFilter(name: string, value: string, timeZone: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return zonedInstant(dateFilter(name, value), timeZone)!.toISOString();
  const t = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(t)) throw new FilterError(`${name} takes a date (2026-04-01) or a time with its offset (2026-04-01T06:00:00Z), not "${value}"`);
  return new Date(t).toISOString();
}

/** A whole number from 1 to `max`. */
export function countFilter(name: string, value: string, max: number): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw new FilterError(`${name} is a whole number from 1 to ${max}, not "${value}"`);
  return Number(value);
}
