const MAX_TEXT = 200;
const MAX_ROWS = 100;

function cell(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return `<binary, ${value.byteLength} bytes>`;
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length} characters)` : text;
}

/**
 * Sample rows made safe to store and show: binary values described, long text cut, dates as ISO
 * strings, at most `limit` rows. A sample is evidence for a person, not a copy of the data.
 */
export function sampleRows(rows: readonly Record<string, unknown>[], limit: number): Record<string, unknown>[] {
  return rows.slice(0, Math.min(limit, MAX_ROWS)).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, cell(v)])));
}
