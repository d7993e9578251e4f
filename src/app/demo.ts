import path from 'node:path';
import { localDateTime, type LocalDate } from '../calendar/localDate.js';
import type { PeriodChoice } from '../calendar/selection.js';
import type { LoadedConfig } from '../config/load.js';
import { dateOf } from '../demo/dates.js';
import { demoTimeline, generateDemoDatabases, generateDemoExports, type DemoDatabases, type DemoTimeline, type PlantedExportProblem } from '../demo/generate.js';
import type { PeriodRun } from '../runs/execute.js';
import type { OpenService } from './open.js';
import { runCycle } from './runCycle.js';
import type { Service } from './service.js';

/** The source the demo's CSV exports are read through. */
const EXPORTS_SOURCE = 'exports';

/**
 * Where the demo writes, as the configuration's sources name it: the `finance` and `services`
 * databases' files, and the folder of the `exports` source.
 */
function demoFiles(config: LoadedConfig): { dir: string; finance: string; services: string; exports: string } {
  const fileOf = (name: string): string => {
    const source = config.service.sources[name];
    if (source?.client !== 'sqlite' || typeof source.connection !== 'string') {
      throw new Error(`the demo needs a SQLite source "${name}" in ${config.file} (see config/lineofsight.yaml)`);
    }
    return path.resolve(source.connection);
  };
  const services = fileOf('services');
  // A finance source on SQL Server (the compose stack's) loads the finance.sql the demo writes beside the services database.
  const finance = config.service.sources.finance?.client === 'mssql' ? path.join(path.dirname(services), 'finance.sqlite') : fileOf('finance');
  if (path.dirname(finance) !== path.dirname(services)) throw new Error('the demo writes its finance and services databases into one folder');
  const exports = config.service.sources[EXPORTS_SOURCE];
  if (exports?.client !== 'csv') throw new Error(`the demo needs a CSV source "${EXPORTS_SOURCE}" in ${config.file} (see config/lineofsight.yaml)`);
  return { dir: path.dirname(finance), finance, services, exports: path.resolve(exports.directory) };
}

export interface PreparedDemo {
  timeline: DemoTimeline;
  /** Every period of the demo's years that has ended by the last complete month. */
  choice: PeriodChoice;
  /** The last day of the demo's data: the end of the last complete month. */
  lastDay: LocalDate;
  /**
   * The story of a run that failed, or left rows out, because the demo planted it so; undefined
   * for any other run, whose failure is a real one.
   */
  plantedStory(run: PeriodRun): string | undefined;
  /** What it wrote: the databases (finance also as T-SQL) and the exports' folder. */
  written: DemoDatabases & { exports: string };
}

/**
 * A run tells a planted story when it is of a pipeline on the exports' source, for the month of a
 * planted export, and rejected exactly the planted rows: failing for a broken export, succeeding
 * for one with a few malformed rows.
 */
function plantedStories(config: LoadedConfig, planted: PlantedExportProblem[]): (run: PeriodRun) => string | undefined {
  const onExports = new Set(config.pipelines.filter((p) => p.source === EXPORTS_SOURCE).map((p) => p.id));
  return (run) => {
    if (!onExports.has(run.pipelineId) || run.outcome === 'awaiting') return undefined;
    const kind = run.outcome === 'failed' ? 'broken' : 'malformed';
    return planted.find((p) => p.kind === kind && p.period === run.period.id && p.lines.length === run.rowsRejected)?.what;
  };
}

/**
 * Writes the demo council's databases and exports as of a day where the demo config's sources
 * read them: three financial years to the last complete month before it.
 */
export async function prepareDemo(service: Service, asOf: LocalDate): Promise<PreparedDemo> {
  const { config } = service;
  const timeline = demoTimeline(asOf);
  const files = demoFiles(config);
  const written = await generateDemoDatabases(files.dir, timeline);
  if (path.resolve(written.finance) !== files.finance || path.resolve(written.services) !== files.services) {
    throw new Error(`the demo wrote ${written.finance} and ${written.services}, but the sources read ${files.finance} and ${files.services}`);
  }
  const { planted } = await generateDemoExports(files.exports, timeline);
  const years = timeline.years.map((y) => config.calendar.yearId(y));
  return {
    timeline,
    choice: { from: years[0], to: years[years.length - 1], endedBy: dateOf(timeline.end) },
    lastDay: dateOf(timeline.end - 1),
    plantedStory: plantedStories(config, planted),
    written: { ...written, exports: files.exports },
  };
}

/**
 * The demo's years run once into a store that has no runs yet, the cycle `demo` runs: so that a
 * daemon started on the demo schedules its slots onto a history. The runs it made (none when the
 * store had some already).
 */
export async function demoHistory(open: OpenService, demo: PreparedDemo, asOf: LocalDate): Promise<number> {
  if ((await open.store.runs.storedRuns({ limit: 1 })).length) return 0;
  const { runs } = await runCycle(open, { pipelines: open.config.pipelines, choice: demo.choice, asOf });
  return runs.length;
}

/** Minutes between a demo pipeline's scheduled runs, once its first has run. */
const DEMO_EVERY_MINUTES = 10;

/**
 * The demo's pipelines and clinics on schedules a newcomer sees fire: the pipelines' first runs
 * within a minute of `start`, a few seconds apart, then every ten minutes; each clinic's pack a
 * minute or so after them (sent once a period: the later slots find it sent).
 */
export function demoSchedules(service: Service, start: Date): Service {
  const { timezone } = service.config.service;
  const pipelines = service.config.pipelines.map((pipeline, i) => ({ ...pipeline, schedule: everyTenMinutesFrom(start, 15 + 3 * i, timezone) }));
  const clinics = service.clinics && {
    ...service.clinics,
    clinics: service.clinics.clinics.map((clinic, i) => ({ ...clinic, schedule: everyTenMinutesFrom(start, 75 + 5 * i, timezone) })),
  };
  return { ...service, config: { ...service.config, pipelines }, ...(clinics ? { clinics: { ...clinics, byId: new Map(clinics.clinics.map((c) => [c.id, c])) } } : {}) };
}

/** A cron schedule firing `seconds` after `start`, then every ten minutes. */
function everyTenMinutesFrom(start: Date, seconds: number, timeZone: string): string {
  // The schedule runs in the service's timezone: its minute and second as the wall clock there shows them.
  const [minute, second] = localDateTime(new Date(start.getTime() + seconds * 1000), timeZone).slice(14).split(':').map(Number) as [number, number];
  const minutes = Array.from({ length: 60 / DEMO_EVERY_MINUTES }, (_, k) => (minute + k * DEMO_EVERY_MINUTES) % 60).sort((a, b) => a - b);
  return `${second} ${minutes.join(',')} * * * *`;
}
