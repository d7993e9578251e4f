// Terminal colour codes take no room on screen, so columns are measured without them.
const COLOUR_CODE = /\u001b\[[\d;]*m/g;
const visibleLength = (text: string) => text.replace(COLOUR_CODE, '').length;

/** A plain-text table, numbers right-aligned, for terminals and for piping into other tools. */
export function renderTable(headers: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map(String));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => visibleLength(r[i] ?? ''))));
  const numeric = headers.map((_, i) => cells.length > 0 && cells.every((r) => /^[-£(]?[\d,.]+[%)]?$|^-?$|^—$/.test(r[i] ?? '')));
  const pad = (c: string, i: number) => ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(c)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? pad(c, i) + c : c + pad(c, i)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

/** One CSV line (RFC 4180 quoting), for tools that read the CLI's --format csv. */
export function csvLine(values: readonly unknown[]): string {
  return values
    .map((value) => {
      const text = value === null || value === undefined ? '' : String(value);
      return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
    })
    .join(',');
}

/** Rows as CSV text for `--format csv`: one line each, CRLF line ends, a final line end. */
export function csvText(rows: readonly (readonly unknown[])[]): string {
  return `${rows.map(csvLine).join('\r\n')}\r\n`;
}
