// How input is quoted in messages and shown on a terminal: every front end and stage alike.

/** C0 and C1 control characters, DEL, and the marks that reorder text on screen (bidi overrides). */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Text with its control characters written as escapes (\n, \u001b): data never reaches a terminal raw. */
export function shown(text: string): string {
  return text.replace(CONTROL, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An input quoted for a message: at most `max` characters of it, saying how long it was when cut. */
export function quoted(text: string, max = 60): string {
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, max))}... (${text.length.toLocaleString('en-GB')} characters)`;
}

/** A message no longer than `max` characters, however much input it carries. */
export function bounded(message: string, max = 1000): string {
  return message.length <= max ? message : `${message.slice(0, max)}... (${(message.length - max).toLocaleString('en-GB')} more characters)`;
}

/**
 * One CSV line (RFC 4180 quoting), for the CLI's --format csv and the files emails carry. A
 * text cell that a spreadsheet would take for a formula (starting = + - @, a tab or a carriage
 * return) gets a leading apostrophe; numbers, negative ones too, stay numbers.
 */
export function csvLine(values: readonly unknown[]): string {
  return values
    .map((value) => {
      const raw = value === null || value === undefined ? '' : String(value);
      const text = typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : raw;
      return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    })
    .join(',');
}

/** Rows as CSV text: one line each, CRLF line ends, a final line end. */
export function csvText(rows: readonly (readonly unknown[])[]): string {
  return `${rows.map(csvLine).join('\r\n')}\r\n`;
}
