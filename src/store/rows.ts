/** Column values as the store's two databases return them, read back as the service's types. */
export const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
export const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
// Both databases give a DATE as its text (pg through the store pool's type parsers).
export const dateOnly = (v: unknown): string => String(v).slice(0, 10);
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
