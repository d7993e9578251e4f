import type { RiskRegister } from '../risk/config.js';
import type { RiskAssessment } from '../risk/evaluate.js';
import { cellKey, type RiskPosition } from '../risk/matrix.js';

export interface RenderOptions {
  /** ANSI colour as well as the words, for a terminal; never instead of them. */
  colour: boolean;
}

const ANSI = { above: '\x1b[41;97m', within: '\x1b[42;30m', bold: '\x1b[1m', reset: '\x1b[0m' };
const paint = (on: boolean, code: string, text: string) => (on ? `${code}${text}${ANSI.reset}` : text);

/**
 * The risk matrix as a text grid: likelihood rows (most likely at the top), impact columns (most
 * severe on the right, as report 003 draws it, docs/domain.md), each risk's id in its assessed cell, `*` on those a
 * trigger moved, and the tolerance line drawn along cell edges with `#` and `=`.
 */
export function renderMatrix(register: RiskRegister, assessments: readonly RiskAssessment[], options: RenderOptions): string {
  const { matrix } = register;
  const placed = new Map<string, string[]>();
  for (const a of assessments) {
    const key = cellKey(a.assessed);
    placed.set(key, [...(placed.get(key) ?? []), `${a.riskId}${a.changed ? '*' : ''}`]);
  }
  const rows = matrix.likelihood;
  const columns = [...matrix.impact].reverse();
  const above = (r: number, c: number) => matrix.aboveTolerance({ likelihood: rows[r]!.band, impact: columns[c]!.band });

  const header = ['Likelihood / Impact', ...columns.map((i) => `${i.band} ${i.label}`)];
  const body = rows.map((l) => [`${l.band} ${l.label}`, ...columns.map((i) => (placed.get(cellKey({ likelihood: l.band, impact: i.band })) ?? []).join(', '))]);
  const widths = header.map((h, c) => Math.max(h.length, ...body.map((row) => row[c]!.length)));

  // A segment lies on the tolerance line when the cells either side of it fall on different sides.
  const border = (edge: (c: number) => boolean) => `+${widths.map((w, c) => (c > 0 && edge(c - 1) ? '=' : '-').repeat(w + 2)).join('+')}+`;
  const plain = border(() => false);
  const lines = [plain, `| ${header.map((h, c) => h.padEnd(widths[c]!)).join(' | ')} |`, plain];
  body.forEach((row, r) => {
    let line = `| ${row[0]!.padEnd(widths[0]!)} `;
    columns.forEach((_, c) => {
      const edge = c > 0 && above(r, c - 1) !== above(r, c) ? '#' : '|';
      const text = ` ${row[c + 1]!.padEnd(widths[c + 1]!)} `;
      line += `${edge}${paint(options.colour, above(r, c) ? ANSI.above : ANSI.within, text)}`;
    });
    lines.push(`${line}|`, r < rows.length - 1 ? border((c) => above(r, c) !== above(r + 1, c)) : plain);
  });
  lines.push(
    'Tolerance line: # and =. Cells above it (more likely, more severe) are ABOVE TOLERANCE.',
    '* escalated from its recorded position by a trigger.',
  );
  return lines.join('\n');
}

/**
 * Each risk with its assessed position, whether it is above the tolerance line (in words), where
 * its owner recorded it if a trigger moved it, and the evidence of every trigger that fired.
 */
export function renderRiskList(register: RiskRegister, assessments: readonly RiskAssessment[], options: RenderOptions): string {
  const risks = new Map(register.risks.map((r) => [r.id, r]));
  const position = (p: RiskPosition) => `${register.matrix.describe(p)}, score ${p.score}`;
  return assessments
    .flatMap((a) => {
      const risk = risks.get(a.riskId);
      if (!risk) throw new Error(`risk ${a.riskId} is not in the register ${register.file}`);
      const tolerance = a.exception ? paint(options.colour, ANSI.above, 'ABOVE TOLERANCE') : paint(options.colour, ANSI.within, 'within tolerance');
      const since = a.changed ? `escalated from ${position(a.recorded)}` : 'as recorded';
      return [
        `${paint(options.colour, ANSI.bold, a.riskId)} ${risk.title} (owner ${risk.owner}, clinic ${risk.clinic})`,
        `  ${position(a.assessed)}: ${tolerance}; ${since}`,
        ...a.triggered.map((t) => `  trigger ${t.triggerId}: ${t.evidence}`),
      ];
    })
    .join('\n');
}
