import { quoted } from '../../text.js';
import type { RowSchema } from './rows.js';

const WHITESPACE_RUN = /\s+/g;

/** Header cells are compared trimmed, whitespace-collapsed and case-blind: `Name:  ` is `name:`. */
function normaliseHeader(text: string): string {
  return text.trim().replace(WHITESPACE_RUN, ' ').toLowerCase();
}

/**
 * The record position of each declared field in a file with this header row (none when every
 * field is read by position). Every field must be found, by its position or by any of its
 * alternative headers, else the file cannot be read and the error says which fields are
 * missing and which headers the file has.
 */
export function resolveColumns(header: readonly string[] | undefined, schema: RowSchema, line: number): Int32Array {
  const positions = new Map<string, number>();
  (header ?? []).forEach((cell, i) => {
    const name = normaliseHeader(cell);
    if (name !== '' && !positions.has(name)) positions.set(name, i);
  });
  const columns = new Int32Array(schema.fields.length);
  const missing: string[] = [];
  schema.fields.forEach((field, i) => {
    const position = field.position ?? field.headers.map((h) => positions.get(normaliseHeader(h))).find((p) => p !== undefined);
    if (header !== undefined && field.position !== undefined && field.position >= header.length) {
      missing.push(`field "${field.name}" (column ${field.position + 1}, past the header's ${header.length} cells)`);
    } else if (position === undefined) {
      missing.push(`field "${field.name}" (header ${field.headers.map((h) => JSON.stringify(h)).join(' or ')})`);
    } else {
      columns[i] = position;
    }
  });
  if (missing.length > 0) {
    if (header === undefined) throw new Error(`with header_line: none every field names its column; ${missing.join(', ')} does not`);
    const found = header.filter((cell) => cell.trim() !== '');
    // A file that is not the export (a wrong glob, a binary) has a "header" of anything at all.
    const listed = found.slice(0, 12).map((cell) => quoted(cell, 40));
    const more = found.length > listed.length ? ` and ${found.length - listed.length} more` : '';
    throw new Error(`the header row (line ${line}) has no column for ${missing.join(', ')}; headers found: ${listed.join(', ') || 'none'}${more}`);
  }
  return columns;
}
