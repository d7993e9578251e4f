import { dateIn, type LocalDate } from '../calendar/localDate.js';
import { dateInWords, periodInWords } from '../calendar/recordDate.js';
import type { Period } from '../calendar/periods.js';
import type { Clinic } from '../config/clinics.js';
import { raiseExceptions } from '../exceptions/raise.js';
import { formatMeasured, formatSet, formatSetGap } from '../indicators/format.js';
import { directionInWords } from '../judging/judgement.js';
import { isRuleStatus, rankOf } from '../rag/scale.js';
import type { DataQuality } from '../quality/result.js';
import type { RiskAssessment } from '../risk/evaluate.js';
import { newMessageId, type NewMessage } from '../notify/outbox.js';
import { packChanges, type ClinicPack, type PackPoint, type PackRisk, type PackRow, type PackShown } from '../notify/pack.js';
import { renderPack } from '../notify/packRender.js';
import { reconcile } from '../notify/plan.js';
import { scorecard, scorecardLineJson } from '../report/scorecard.js';
import type { StoreParts } from '../store/store.js';
import { sendingOpens } from './deliver.js';
import { readExceptionFacts } from './exceptionFacts.js';
import type { OpenService } from './open.js';

/** How many periods of history a pack shows: a year and the same period the year before. */
const HISTORY = 13;

type PackService = Pick<OpenService, 'config' | 'register' | 'directory' | 'clinics' | 'store'>;

/** The clinic a front end names, or why there is none. */
export function clinicNamed(open: Pick<OpenService, 'config' | 'clinics'>, id: string): Clinic {
  if (!open.clinics) throw new Error(`no clinics are configured (clinics_file in ${open.config.file})`);
  const clinic = open.clinics.byId.get(id);
  if (!clinic) throw new Error(`unknown clinic "${id}" (clinics in ${open.clinics.file}: ${[...open.clinics.byId.keys()].join(', ')})`);
  return clinic;
}

/** The period a pack covers: the one asked for, else the latest complete period of the clinic's kind as of the day. */
export function packPeriod(open: Pick<OpenService, 'config'>, clinic: Clinic, today: LocalDate, asked?: string): Period {
  const { calendar } = open.config;
  if (asked === undefined) return calendar.latestComplete(today, clinic.period);
  const period = calendar.parse(asked);
  if (period.end > today) throw new Error(`period ${period.id} has not ended (today is ${today}): a pack covers a period that is over`);
  return period;
}

/**
 * A clinic's exception pack as the store stands: every exception of its indicators at the period
 * (raised exactly as the exception emails raise them), each with its value, target and
 * tolerance, RAG explanation, direction of travel, last 13 periods, data quality and open checks,
 * and the risks it bears on; the clinic's risks above the tolerance line; its indicators counted
 * by RAG; and what changed since its last pack.
 */
export async function clinicPack(open: PackService, clinic: Clinic, period: Period, at: Date, today: LocalDate = dateIn(at, open.config.service.timezone)): Promise<ClinicPack> {
  return readPack(open, open.store, clinic, period, today);
}

async function readPack(open: PackService, parts: StoreParts, clinic: Clinic, period: Period, today: LocalDate): Promise<ClinicPack> {
  const { config, register } = open;
  const words = (id: string) => periodInWords(config.calendar, id);
  const stillOpen = await parts.exceptions.openExceptions();
  const openKeys = new Set(stillOpen.map((e) => e.key));
  const facts = await readExceptionFacts(open, parts, today, openKeys, period.id);
  // Current, as the emails reconcile them: raised now, or open and not yet known to be over (an
  // earlier period's data still not in); one held behind its cause is not told, nor shown.
  const plan = reconcile(raiseExceptions(config, register, open.directory, facts), stillOpen);
  const raised = [...plan.opened, ...plan.kept.map((k) => k.raised)].filter((e) => !e.held && e.subject.clinics.includes(clinic.id));
  const about = (l: (typeof card.lines)[number]) => raised.filter((e) => e.subject.indicator === l.indicator.id || (e.subject.indicator === undefined && e.subject.pipeline === l.pipelineId));
  const card = await scorecard(config, parts.runs, { period: period.id, clinic: clinic.id }, today);

  const standings = new Map(facts.risks.map((a) => [a.riskId, a]));
  const risks = (register?.risks ?? []).flatMap((risk) => {
    const a = standings.get(risk.id);
    return a ? [{ risk, a }] : [];
  });
  const packRisk = ({ risk, a }: (typeof risks)[number]): PackRisk => riskOf(open, risk.id, risk.title, risk.owner, a);

  const shownLines = card.lines.filter((l) => about(l).length > 0);
  const windows = new Map(shownLines.map((l) => [l.indicator.id, windowOf(open, l.period)]));
  const stored = await parts.runs.valuesInPeriods(shownLines.map((l) => l.indicator.id), [...new Set([...windows.values()].flat().map((p) => p.id))]);
  const byKey = new Map(stored.map((v) => [`${v.indicatorId}/${v.periodId}`, v]));
  const name = (id: string | undefined) => (id ? (open.directory?.byId.get(id)?.name ?? id) : 'no owner');

  const rows: PackRow[] = shownLines.map((l) => {
    const { indicator } = l;
    const line = scorecardLineJson(l);
    const j = l.stored?.judgement;
    const format = (v: number | null) => (v === null ? 'no value' : formatMeasured(v, indicator.unit, indicator.decimals));
    return {
      indicator: indicator.id,
      title: indicator.title,
      service: indicator.service,
      owner: name(indicator.owner),
      pipeline: l.pipelineId,
      periodId: l.period.id,
      period: words(l.period.id),
      value: l.stored ? format(l.stored.value) : `no value${l.awaiting ? `: ${l.awaiting}` : ''}`,
      target: j?.target === null || j?.target === undefined ? 'none in force' : formatSet(j.target, indicator.unit),
      tolerance: j?.toleranceAmount === null || j?.toleranceAmount === undefined ? 'none' : formatSetGap(j.toleranceAmount, indicator.unit),
      rag: line.rag,
      explanation: line.explanation,
      direction: directionInWords(j),
      dataQuality: QUALITY_WORDS[l.stored?.dataQuality ?? 'none'],
      exceptions: about(l).map((e) => ({ key: e.key, kind: e.kind, title: e.title })),
      history: sinceFirstValue(
        windows.get(indicator.id)!.map((p) => {
          const v = byKey.get(`${indicator.id}/${p.id}`);
          return { periodId: p.id, period: words(p.id), short: shortPeriod(p, words(p.id)), value: v?.value ?? null, shown: v ? format(v.value) : 'no value', rag: v ? (v.judgement?.rag ?? 'NOT_JUDGED') : 'MISSING' };
        }),
      ),
      checks: facts.entries
        .filter((e) => e.pipelineId === l.pipelineId)
        .map((e) => ({ entry: e.id, check: e.checkId, severity: e.severity, period: e.periodId, message: e.message, acknowledged: e.status === 'acknowledged' })),
      risks: risks.filter(({ risk }) => risk.indicators.includes(indicator.id)).map(packRisk),
    };
  });

  const shown: PackShown = {
    rags: Object.fromEntries(card.lines.map((l) => [l.indicator.id, scorecardLineJson(l).rag])),
    exceptions: Object.fromEntries(raised.map((e) => [e.key, e.title])),
  };
  const last = await parts.clinicPacks.lastPack<PackShown>(clinic.id);
  const counted = new Map<string, number>();
  for (const rag of Object.values(shown.rags)) counted.set(rag, (counted.get(rag) ?? 0) + 1);
  return {
    clinic: { id: clinic.id, name: clinic.name },
    periodId: period.id,
    period: words(period.id),
    day: dateInWords(today),
    indicators: card.lines.length,
    counts: [...counted].map(([rag, count]) => ({ rag, count })).sort((a, b) => severity(b.rag) - severity(a.rag) || a.rag.localeCompare(b.rag)),
    rows: rows.sort((a, b) => severity(b.rag) - severity(a.rag) || a.indicator.localeCompare(b.indicator)),
    risks: risks.filter(({ risk, a }) => risk.clinic === clinic.id && a.exception).map(packRisk),
    changes: packChanges(shown, last && { sentAt: last.sentAt, periodId: last.period, period: words(last.period), shown: last.shown }),
    shown,
  };
}

/** The period and the 12 before it, oldest first. */
function windowOf(open: Pick<OpenService, 'config'>, period: Period): Period[] {
  const out = [period];
  while (out.length < HISTORY) out.unshift(open.config.calendar.previous(out[0]!));
  return out;
}

/** A history from the indicator's first stored value: the periods before it existed say nothing (an annual indicator's 13 years). */
function sinceFirstValue(points: PackPoint[]): PackPoint[] {
  const first = points.findIndex((p) => p.rag !== 'MISSING');
  return points.slice(first < 0 ? points.length - 1 : first);
}

/** A period in a chart column's few characters: "Nov", "Q2", "25-26". */
function shortPeriod(p: Period, inWords: string): string {
  if (p.kind === 'month') return inWords.slice(0, 3);
  return p.kind === 'quarter' ? p.id.slice(-2) : p.id.slice(2);
}

/** Worse first: RED before AMBER before GREEN; a value missing or not judged after every rating. */
function severity(rag: string): number {
  return isRuleStatus(rag) ? rankOf(rag) : -1;
}

const QUALITY_WORDS: Record<DataQuality | 'none', string> = {
  passed: 'passed every check',
  warned: 'passed, with warnings',
  failed: 'failed a check: the value is unvalidated',
  none: 'not checked: no data for the period',
};

function riskOf(open: PackService, id: string, title: string, owner: string, a: RiskAssessment): PackRisk {
  const matrix = open.register!.matrix;
  const { likelihood, impact } = a.assessed;
  return {
    id,
    title,
    owner: open.directory?.byId.get(owner)?.name ?? owner,
    cell: `${likelihood}/${impact}`,
    position: `likelihood ${matrix.band('likelihood', likelihood).label}, impact ${matrix.band('impact', impact).label}, score ${a.assessed.score}`,
    aboveTolerance: a.assessed.aboveTolerance,
    evidence: a.triggered.map((t) => t.evidence).join('; '),
  };
}

/** What sending a pack came to. */
export type PackSent = { sent: true; pack: ClinicPack; messages: number } | { sent: false; pack: ClinicPack; why: string };

/**
 * Sends a clinic its pack: drawn up and written to the outbox, one message a member, with the
 * pack recorded (what it showed, for the next pack's changes) in the same transaction. A
 * scheduled pack is sent once per clinic and period: when one is recorded already (another
 * replica, an earlier slot), nothing is written. On demand it is sent whatever was sent before.
 */
export async function sendClinicPack(
  open: PackService,
  clinic: Clinic,
  period: Period,
  at: Date,
  options: { scheduled: boolean; today?: LocalDate },
): Promise<PackSent> {
  const { config, directory } = open;
  if (!directory) throw new Error(`clinic packs go to people of the directory: no people_file in ${config.file}`);
  const today = options.today ?? dateIn(at, config.service.timezone);
  return open.store.transaction(async (parts) => {
    const pack = await readPack(open, parts, clinic, period, today);
    const recorded = await parts.clinicPacks.record({ clinic: clinic.id, period: period.id, scheduled: options.scheduled, shown: pack.shown }, at);
    if (recorded === undefined) return { sent: false, pack, why: `the pack for ${pack.period} was sent already` };
    const rendered = renderPack(pack, config.service.exceptions.links);
    // A pack is never urgent: outside the sending hours it waits for their opening.
    const notBefore = sendingOpens(config, at);
    const { from } = config.service.email;
    const messages: NewMessage[] = membersOf(open, clinic).map((to) => ({ kind: 'clinic_pack', to, from, messageId: newMessageId(from), ...rendered, notBefore }));
    await parts.outbox.write(messages, at);
    return { sent: true, pack, messages: messages.length };
  });
}

/**
 * Where each member's pack goes: their address, or, for those who have none, one copy to the
 * performance team addressed to say for whom it is.
 */
function membersOf(open: PackService, clinic: Clinic): { address: string; name: string }[] {
  const directory = open.directory!;
  const team = directory.performance_team;
  const out = new Map<string, { address: string; name: string }>();
  const without: string[] = [];
  for (const id of clinic.members) {
    const person = directory.byId.get(id)!;
    if (!person.email) without.push(person.name);
    else if (!out.has(person.email)) out.set(person.email, { address: person.email, name: person.name });
  }
  if (without.length && !out.has(team.email)) out.set(team.email, { address: team.email, name: `${team.name}, for ${without.join(', ')}` });
  return [...out.values()];
}
