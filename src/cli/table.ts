import { shown } from '../text.js';

/** A cell the table colours itself, after measuring it: the only way a colour code reaches the terminal. */
export interface Painted {
  text: string;
  /** An ANSI SGR code, e.g. "31" for red. */
  code: string;
}

export type Cell = string | number | Painted;

/**
 * A plain-text table, numbers right-aligned, for terminals and for piping into other tools. Every
 * cell is shown with its control characters escaped: data never reaches a terminal raw.
 */
export function renderTable(headers: string[], rows: Cell[][]): string {
  const texts = rows.map((r) => r.map((c) => shown(typeof c === 'object' ? c.text : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...texts.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => texts.length > 0 && texts.every((r) => /^[-£(]?[\d,.]+[%)]?$|^-?$|^—$/.test(r[i] ?? '')));
  const pad = (c: string, i: number) => ' '.repeat(Math.max(0, (widths[i] ?? 0) - c.length));
  const paint = (text: string, cell: Cell | undefined) => (typeof cell === 'object' ? `\u001b[${cell.code}m${text}\u001b[0m` : text);
  const line = (r: string[], cells?: Cell[]) =>
    r
      .map((c, i) => (numeric[i] ? pad(c, i) + paint(c, cells?.[i]) : paint(c, cells?.[i]) + pad(c, i)))
      .join('  ')
      .trimEnd();
  return [line(headers.map(shown)), widths.map((w) => '-'.repeat(w)).join('  '), ...texts.map((r, k) => line(r, rows[k]))].join('\n');
}

export function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}
