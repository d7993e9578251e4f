import type { RaisedException } from '../exceptions/exception.js';
import type { Change, Tell } from './plan.js';

/** Base URLs of Grafana and the API, when the service config gives them. */
export interface Links {
  grafana?: string;
  api?: string;
}

/** A message ready for the outbox: who it is for, and its words in both parts. */
export interface RenderedMessage {
  subject: string;
  html: string;
  text: string;
}

const HEADINGS: Record<Change, string> = { new: 'New', changed: 'Changed', still_open: 'Still open', resolved: 'Resolved' };
const ORDER: readonly Change[] = ['new', 'changed', 'still_open', 'resolved'];

/** Badge colours: the word is always shown too, so that colour is never the only signal. */
const BADGE: Record<string, { background: string; color: string }> = {
  RED: { background: '#d4351c', color: '#ffffff' },
  RED_AMBER: { background: '#d4351c', color: '#ffffff' },
  AMBER: { background: '#f47738', color: '#0b0c0c' },
  GREEN_AMBER: { background: '#85994b', color: '#0b0c0c' },
  GREEN: { background: '#00703c', color: '#ffffff' },
  BLUE: { background: '#1d70b8', color: '#ffffff' },
  RESOLVED: { background: '#00703c', color: '#ffffff' },
};
const OTHER_BADGE = { background: '#505a5f', color: '#ffffff' };

/**
 * For cells whose text may be one long unbroken run (a URL, a title, a command): without it a
 * table cell grows to the run's width and the message scrolls sideways on a phone.
 */
export const WRAP = 'overflow-wrap:anywhere;word-break:break-word';

/** The label column's width: room for "To stop reminders" and leaves the values room on a phone. */
export const LABEL_WIDTH = 140;

const AMP = /[&<>"']/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every value put into HTML goes through here. */
export function escapeHtml(text: string): string {
  return text.replace(AMP, (c) => ENTITIES[c]!);
}

/** The badge an exception carries: its RAG status, else its kind, in capitals. */
function badgeOf(e: RaisedException, change: Change): string {
  if (change === 'resolved') return 'RESOLVED';
  return e.rag && e.kind === 'rag' ? e.rag : e.kind.replaceAll('_', ' ').toUpperCase();
}

/** A badge's colours, for a RAG word or a kind's word; the grey for any other. */
export function badgeColours(word: string): { background: string; color: string } {
  return BADGE[word] ?? OTHER_BADGE;
}

/**
 * A table cell showing a badge's word on its colours. `data-badge` names the word for the tests
 * that open the HTML in a browser; mail clients ignore it.
 */
export function badgeCell(word: string, attrs = ''): string {
  const { background, color } = badgeColours(word);
  const shown = escapeHtml(word);
  return `<td data-badge="${shown}"${attrs ? ` ${attrs}` : ''} style="background:${background};color:${color};font-weight:bold">${shown}</td>`;
}

/** Where a reader goes next: the dashboard and the API of what the exception is about. */
export function linksOf(e: Pick<RaisedException, 'kind' | 'subject'>, links: Links): { label: string; href: string }[] {
  const q = encodeURIComponent;
  const out: { label: string; href: string }[] = [];
  const { indicator, pipeline } = e.subject;
  const [dashboard, api] = indicator
    ? [`/d/lineofsight-indicator?var-indicator=${q(indicator)}`, `/api/values/${q(indicator)}`]
    : e.kind === 'risk'
      ? ['/d/lineofsight-risk', '/api/risks']
      : e.kind === 'pipeline_failed'
        ? [`/d/lineofsight-pipeline-health?var-pipeline=${q(pipeline ?? '')}`, `/api/runs?pipeline=${q(pipeline ?? '')}`]
        : [`/d/lineofsight-data-quality?var-pipeline=${q(pipeline ?? '')}`, `/api/checks?pipeline=${q(pipeline ?? '')}`];
  if (links.grafana) out.push({ label: 'Grafana', href: `${links.grafana.replace(/\/$/, '')}${dashboard}` });
  if (links.api) out.push({ label: 'API', href: `${links.api.replace(/\/$/, '')}${api}` });
  return out;
}

/** An open exception that reminds, and so can be acknowledged; one whose steps are its reminders cannot. */
const remindable = (t: Tell) => t.change !== 'resolved' && !t.exception.quiet;

/** The lines of one exception in the plain-text part. */
function textOf(t: Tell, links: Links): string[] {
  const e = t.exception;
  const lines = [`[${badgeOf(e, t.change)}] ${e.title} (exception ${t.exceptionId})`];
  if (t.recipient.onBehalfOf) lines.push(`  For: ${t.recipient.onBehalfOf}`);
  for (const f of e.facts) lines.push(`  ${f.label}: ${f.value}`);
  lines.push(`  Why: ${e.explanation}`);
  if (e.unvalidated) lines.push(`  Unvalidated: ${e.unvalidated}`);
  if (t.change === 'still_open') lines.push(`  Open since: ${t.openedAt.slice(0, 10)}`);
  for (const l of linksOf(e, links)) lines.push(`  ${l.label}: ${l.href}`);
  if (remindable(t)) lines.push(`  To stop reminders: lineofsight exceptions ack ${t.exceptionId} --note "..."`);
  return lines;
}

/**
 * A row of facts: the label greyed, the value as given (already HTML). Padding and alignment are
 * the table's and the cells' attributes, which every mail client honours, so that a digest of
 * many exceptions does not repeat the same style on every cell.
 */
export function factRow(label: string, valueHtml: string): string {
  return `<tr><td valign="top" width="${LABEL_WIDTH}" style="color:#505a5f">${escapeHtml(label)}</td><td valign="top" style="${WRAP}">${valueHtml}</td></tr>`;
}

/** A bordered table of facts, its first row given apart (an exception's badge and title). */
export function factTable(rows: readonly string[]): string {
  return ['<table role="presentation" width="100%" cellpadding="5" cellspacing="0" style="border:1px solid #b1b4b6;margin:0 0 12px 0">', ...rows, '</table>'].join('\n');
}

/** One exception as a table of its own: a badge and title, then its facts. */
function htmlOf(t: Tell, links: Links): string {
  const e = t.exception;
  const row = factRow;
  const rows = [
    ...(t.recipient.onBehalfOf ? [row('For', escapeHtml(t.recipient.onBehalfOf))] : []),
    ...e.facts.map((f) => row(f.label, escapeHtml(f.value))),
    row('Why', escapeHtml(e.explanation)),
    ...(e.unvalidated ? [row('Unvalidated', `<strong>${escapeHtml(e.unvalidated)}</strong>`)] : []),
    ...(t.change === 'still_open' ? [row('Open since', escapeHtml(t.openedAt.slice(0, 10)))] : []),
  ];
  const anchors = linksOf(e, links).map((l) => `<a href="${escapeHtml(l.href)}" style="color:#1d70b8">${escapeHtml(l.label)}</a>`);
  if (anchors.length) rows.push(row('Links', anchors.join(' &middot; ')));
  if (remindable(t)) rows.push(row('To stop reminders', `<code style="overflow-wrap:break-word">lineofsight exceptions ack ${t.exceptionId} --note &quot;...&quot;</code>`));
  return factTable([
    `<tr>${badgeCell(badgeOf(e, t.change), `valign="top" width="${LABEL_WIDTH}"`)}` +
      `<td valign="top" style="font-weight:bold;${WRAP}">${escapeHtml(e.title)} <span style="font-weight:normal;color:#505a5f">(exception ${t.exceptionId})</span></td></tr>`,
    ...rows,
  ]);
}

/**
 * The whole message around its sections: a table layout with inline styles, as mail clients need.
 * Fluid to 680 px so that a phone shows it without scrolling sideways; Outlook on Windows draws
 * with Word, which ignores max-width, so there a fixed table of 680 holds it instead.
 */
export function page(heading: string, intro: string, body: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>',
    '<body style="margin:0;padding:0;background:#f3f2f1">',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f2f1"><tr><td align="center" style="padding:16px 8px">',
    '<!--[if mso]><table role="presentation" width="680" align="center" cellpadding="0" cellspacing="0"><tr><td><![endif]-->',
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="width:100%;max-width:680px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.4;color:#0b0c0c">',
    `<tr><td style="padding:16px 20px;background:#0b0c0c;color:#ffffff;font-size:20px;font-weight:bold;${WRAP}">${escapeHtml(heading)}</td></tr>`,
    `<tr><td style="padding:12px 20px;${WRAP}">${escapeHtml(intro)}</td></tr>`,
    `<tr><td style="padding:0 20px 12px 20px">${body}</td></tr>`,
    '<tr><td style="padding:12px 20px;color:#505a5f;font-size:12px;border-top:1px solid #b1b4b6">Sent by lineofsight. RAG is always given as a word as well as a colour.</td></tr>',
    '</table>',
    '<!--[if mso]></td></tr></table><![endif]-->',
    '</td></tr></table></body></html>',
  ].join('\n');
}

/** A message of tells grouped as New, Changed, Still open and Resolved, each section only when it has any. */
export function renderSections(heading: string, intro: string, subject: string, tells: readonly Tell[], links: Links): RenderedMessage {
  const html: string[] = [];
  const text: string[] = [heading, '', intro, ''];
  for (const change of ORDER) {
    const these = tells.filter((t) => t.change === change);
    if (!these.length) continue;
    const title = `${HEADINGS[change]} (${these.length})`;
    html.push(`<h2 style="font-size:16px;margin:16px 0 8px 0;padding-bottom:4px;border-bottom:2px solid #0b0c0c">${escapeHtml(title)}</h2>`);
    html.push(...these.map((t) => htmlOf(t, links)));
    text.push(title, '='.repeat(title.length), '');
    for (const t of these) text.push(...textOf(t, links), '');
  }
  text.push('Sent by lineofsight.');
  return { subject, html: page(heading, intro, html.join('\n')), text: text.join('\n') };
}

/** The performance team's report of a message that will never be delivered: to whom, what, and the server's words. */
export function renderUndeliverable(m: { id: number; messageId: string; to: { address: string; name: string }; subject: string; createdAt: string }, why: string): RenderedMessage {
  const facts: [string, string][] = [
    ['To', `${m.to.name} <${m.to.address}>`],
    ['Subject', m.subject],
    ['Written', m.createdAt],
    ['Message-ID', m.messageId],
    ['Why', why],
    ['Outbox', `message ${m.id}: lineofsight outbox retry ${m.id} sends it again`],
  ];
  const intro = 'An email lineofsight wrote could not be delivered, and will not be tried again unless you retry it.';
  const table = factTable(facts.map(([label, value]) => factRow(label, escapeHtml(value))));
  return {
    subject: `Email not delivered: ${m.subject}`,
    html: page('Email not delivered', intro, table),
    text: ['Email not delivered', '', intro, '', ...facts.map(([label, value]) => `${label}: ${value}`), '', 'Sent by lineofsight.'].join('\n'),
  };
}
