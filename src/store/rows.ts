/** Column values as the store's two databases return them, read back as the service's types. */
export const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : String(v));
export const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
export const dateOnly = (v: unknown): string => (v instanceof Date ? localDateOf(v) : String(v).slice(0, 10));
// A DATE read as a Date is local midnight; read it back as the calendar date it was.
const localDateOf = (d: Date): string => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
export const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
