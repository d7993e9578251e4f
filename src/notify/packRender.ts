import { csvText } from '../text.js';
import type { Attachment } from './outbox.js';
import type { ClinicPack, PackPoint, PackRisk, PackRow } from './pack.js';
import { badgeCell, badgeColours, escapeHtml, factRow, factTable, LABEL_WIDTH, linksOf, page, WRAP, type Links, type RenderedMessage } from './render.js';

/** A pack ready for the outbox: both parts, and its rows as a CSV file. */
export interface RenderedPack extends RenderedMessage {
  attachments: Attachment[];
}

const CHART_HEIGHT = 60;

const h2 = (title: string) => `<h2 style="font-size:16px;margin:16px 0 8px 0;padding-bottom:4px;border-bottom:2px solid #0b0c0c">${escapeHtml(title)}</h2>`;
const dayOf = (iso: string) => iso.slice(0, 10);

/** The pack as an email: a summary, then each exception with its history, risks and checks; the same rows as a CSV file. */
export function renderPack(pack: ClinicPack, links: Links): RenderedPack {
  const heading = `${pack.clinic.name}: exception pack for ${pack.period}`;
  const intro =
    `The exceptions of the clinic's ${pack.indicators} indicators as at ${pack.period}, drawn up on ${pack.day}: ` +
    'for each, its value against target and tolerance, why it is rated so, its direction of travel, its last 13 periods, its data quality and the risks it bears on.';
  const body = [
    h2('Summary'),
    summaryHtml(pack),
    ...(pack.risks.length ? [h2(`Risks above the tolerance line (${pack.risks.length})`), factTable(pack.risks.map((r) => riskRow(r, links)))] : []),
    h2(`Exceptions (${pack.rows.length})`),
    ...(pack.rows.length ? pack.rows.map((r) => rowHtml(r, links)) : ['<p style="margin:0 0 12px 0">None of the clinic\'s indicators is an exception at this period.</p>']),
  ].join('\n');
  return {
    subject: `Exception pack: ${pack.clinic.name} - ${pack.period} (${pack.rows.length} exception${pack.rows.length === 1 ? '' : 's'})`.replace(/\s+/g, ' '),
    html: page(heading, intro, body),
    text: packText(pack, heading, intro, links),
    attachments: [{ filename: `${pack.clinic.id}-${pack.periodId}.csv`, contentType: 'text/csv; charset=utf-8', content: packCsv(pack) }],
  };
}

function changeLines(pack: ClinicPack): string[] {
  const c = pack.changes;
  if (!c.last) return ["This is the clinic's first pack."];
  return [
    `Since the last pack (sent ${dayOf(c.last.sentAt)}, for ${c.last.period}):`,
    ...(c.raised.length ? c.raised.map((t) => `New: ${t}`) : ['No new exceptions.']),
    ...c.cleared.map((t) => `No longer an exception: ${t}`),
    ...c.moved.map((m) => `${m.indicator} moved from ${m.from} to ${m.to}`),
  ];
}

function summaryHtml(pack: ClinicPack): string {
  const counts = pack.counts.map((c) => `<tr>${badgeCell(c.rag, `width="${LABEL_WIDTH}"`)}<td>${c.count}</td></tr>`);
  const table = ['<table role="presentation" width="100%" cellpadding="5" cellspacing="0" style="border:1px solid #b1b4b6;margin:0 0 12px 0">', ...counts, '</table>'].join('\n');
  const changes = changeLines(pack).map((l) => `<li style="${WRAP}">${escapeHtml(l)}</li>`);
  return `${table}\n<ul style="margin:0 0 12px 0;padding-left:20px">${changes.join('')}</ul>`;
}

function anchors(hrefs: readonly { label: string; href: string }[]): string {
  return hrefs.map((l) => `<a href="${escapeHtml(l.href)}" style="color:#1d70b8">${escapeHtml(l.label)}</a>`).join(' &middot; ');
}

const indicatorLinks = (r: PackRow, links: Links) => linksOf({ kind: 'rag', subject: { indicator: r.indicator, services: [r.service], clinics: [] } }, links);
const riskLinks = (r: PackRisk, links: Links) => linksOf({ kind: 'risk', subject: { risk: r.id, services: [], clinics: [] } }, links);

const riskWords = (r: PackRisk) => `${r.id} ${r.title} at ${r.cell}${r.aboveTolerance ? ', above the tolerance line' : ''} (owner ${r.owner}; ${r.position})${r.evidence ? `: ${r.evidence}` : ''}`;

function riskRow(r: PackRisk, links: Links): string {
  const to = riskLinks(r, links);
  return factRow(r.cell, escapeHtml(riskWords(r)) + (to.length ? ` ${anchors(to)}` : ''));
}

function rowHtml(r: PackRow, links: Links): string {
  const list = (items: readonly string[]) => (items.length ? items.map(escapeHtml).join('<br>') : 'none');
  const rows = [
    factRow('Owner', escapeHtml(`${r.owner} (${r.service})`)),
    factRow('Value', escapeHtml(r.value)),
    factRow('Target', escapeHtml(r.target)),
    factRow('Tolerance', escapeHtml(r.tolerance)),
    factRow('Why', escapeHtml(r.explanation)),
    factRow('Direction of travel', escapeHtml(r.direction)),
    factRow('Exceptions', list(r.exceptions.map((e) => e.title))),
    factRow('Data quality', escapeHtml(r.dataQuality)),
    factRow('Open checks', list(r.checks.map((c) => `${c.check} (${c.severity}, ${c.period}${c.acknowledged ? ', acknowledged' : ''}): ${c.message} [log entry ${c.entry}]`))),
    factRow('Risks', list(r.risks.map(riskWords))),
  ];
  const to = indicatorLinks(r, links);
  if (to.length) rows.push(factRow('Links', anchors(to)));
  rows.push(`<tr><td colspan="2">${chartHtml(r.history)}</td></tr>`);
  rows.push(`<tr><td colspan="2">${historyHtml(r.history)}</td></tr>`);
  return factTable([`<tr>${badgeCell(r.rag, `valign="top" width="${LABEL_WIDTH}"`)}<td valign="top" style="font-weight:bold;${WRAP}">${escapeHtml(`${r.indicator} ${r.title}`)} <span style="font-weight:normal;color:#505a5f">(${escapeHtml(r.period)})</span></td></tr>`, ...rows]);
}

/**
 * The history as columns of a table, each as tall as its value and coloured by its RAG: a chart
 * every mail client draws, Outlook's Word engine too, with no image to fetch or to be blocked.
 * The words are in the table below it; colour here is never the only signal.
 */
function chartHtml(history: readonly PackPoint[]): string {
  const values = history.flatMap((p) => (p.value === null ? [] : [p.value]));
  const low = Math.min(0, ...values);
  const high = Math.max(0, ...values);
  const span = high - low || 1;
  const columns = history.map((p) => {
    const height = p.value === null ? 0 : Math.max(2, Math.round(((p.value - low) / span) * CHART_HEIGHT));
    const bar = height
      ? `<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td height="${height}" style="height:${height}px;background:${badgeColours(p.rag).background};font-size:0;line-height:0">&nbsp;</td></tr></table>`
      : '';
    return `<td valign="bottom" height="${CHART_HEIGHT}" title="${escapeHtml(`${p.period}: ${p.shown} (${p.rag})`)}" style="padding:0 1px">${bar}</td>`;
  });
  const labels = history.map((p) => `<td align="center" style="font-size:10px;color:#505a5f;padding:2px 0 0 0">${escapeHtml(p.short)}</td>`);
  return [
    `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="table-layout:fixed;margin:4px 0" aria-label="${escapeHtml(`The last ${history.length} periods`)}">`,
    `<tr>${columns.join('')}</tr>`,
    `<tr>${labels.join('')}</tr>`,
    '</table>',
  ].join('\n');
}

function historyHtml(history: readonly PackPoint[]): string {
  const rows = [...history].reverse().map((p) => `<tr><td style="border-top:1px solid #e5e5e5">${escapeHtml(p.period)}</td><td align="right" style="border-top:1px solid #e5e5e5">${escapeHtml(p.shown)}</td>${badgeCell(p.rag, 'width="110"')}</tr>`);
  return [
    '<table role="presentation" width="100%" cellpadding="3" cellspacing="0" style="font-size:13px">',
    '<tr><td style="color:#505a5f;font-weight:bold">Period</td><td align="right" style="color:#505a5f;font-weight:bold">Value</td><td width="110" style="color:#505a5f;font-weight:bold">RAG</td></tr>',
    ...rows,
    '</table>',
  ].join('\n');
}

function packText(pack: ClinicPack, heading: string, intro: string, links: Links): string {
  const lines = [heading, '', intro, '', 'Summary', '=======', ''];
  for (const c of pack.counts) lines.push(`  ${c.rag}: ${c.count}`);
  lines.push('', ...changeLines(pack).map((l) => `  ${l}`), '');
  if (pack.risks.length) {
    const title = `Risks above the tolerance line (${pack.risks.length})`;
    lines.push(title, '='.repeat(title.length), '');
    for (const r of pack.risks) lines.push(`  ${riskWords(r)}`, ...riskLinks(r, links).map((l) => `    ${l.label}: ${l.href}`));
    lines.push('');
  }
  const title = `Exceptions (${pack.rows.length})`;
  lines.push(title, '='.repeat(title.length), '');
  if (!pack.rows.length) lines.push("None of the clinic's indicators is an exception at this period.", '');
  for (const r of pack.rows) {
    lines.push(`[${r.rag}] ${r.indicator} ${r.title} (${r.period})`);
    const facts: [string, string][] = [
      ['Owner', `${r.owner} (${r.service})`],
      ['Value', r.value],
      ['Target', r.target],
      ['Tolerance', r.tolerance],
      ['Why', r.explanation],
      ['Direction of travel', r.direction],
      ['Data quality', r.dataQuality],
    ];
    for (const [label, value] of facts) lines.push(`  ${label}: ${value}`);
    for (const e of r.exceptions) lines.push(`  Exception: ${e.title}`);
    for (const c of r.checks) lines.push(`  Open check: ${c.check} (${c.severity}, ${c.period}${c.acknowledged ? ', acknowledged' : ''}): ${c.message} [log entry ${c.entry}]`);
    for (const risk of r.risks) lines.push(`  Risk: ${riskWords(risk)}`);
    for (const l of indicatorLinks(r, links)) lines.push(`  ${l.label}: ${l.href}`);
    lines.push(`  Last ${r.history.length} periods: ${r.history.map((p) => `${p.short} ${p.shown} ${p.rag}`).join(' | ')}`, '');
  }
  lines.push(`The rows are attached as ${pack.clinic.id}-${pack.periodId}.csv.`, '', 'Sent by lineofsight.');
  return lines.join('\n');
}

const CSV_COLUMNS = ['clinic', 'indicator', 'title', 'service', 'owner', 'pipeline', 'period', 'value', 'target', 'tolerance', 'rag', 'explanation', 'direction_of_travel', 'data_quality', 'exceptions', 'open_checks', 'risks', 'history'] as const;

/** The pack's rows as CSV: one line an exception row, every text cell neutralised against formulas. */
function packCsv(pack: ClinicPack): string {
  return csvText([
    [...CSV_COLUMNS],
    ...pack.rows.map((r) => [
      pack.clinic.id,
      r.indicator,
      r.title,
      r.service,
      r.owner,
      r.pipeline,
      r.periodId,
      r.value,
      r.target,
      r.tolerance,
      r.rag,
      r.explanation,
      r.direction,
      r.dataQuality,
      r.exceptions.map((e) => e.title).join('; '),
      r.checks.map((c) => `${c.check} (${c.period})`).join('; '),
      r.risks.map((k) => `${k.id} ${k.cell}`).join('; '),
      r.history.map((p) => `${p.periodId} ${p.shown} ${p.rag}`).join('; '),
    ]),
  ]);
}
