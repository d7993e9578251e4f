import path from 'node:path';
import type { LocalDate } from '../calendar/localDate.js';
import type { PeriodChoice } from '../calendar/selection.js';
import type { LoadedConfig } from '../config/load.js';
import { dateOf } from '../demo/dates.js';
import { demoTimeline, generateDemoDatabases, type DemoTimeline } from '../demo/generate.js';
import type { Service } from './service.js';

/** The demo databases' files, as the configuration's `finance` and `services` sources name them. */
function demoFiles(config: LoadedConfig): { dir: string; finance: string; services: string } {
  const fileOf = (name: string): string => {
    const source = config.service.sources[name];
    if (source?.client !== 'sqlite' || typeof source.connection !== 'string') {
      throw new Error(`the demo needs a SQLite source "${name}" in ${config.file} (see config/lineofsight.yaml)`);
    }
    return path.resolve(source.connection);
  };
  const finance = fileOf('finance');
  const services = fileOf('services');
  if (path.dirname(finance) !== path.dirname(services)) throw new Error('the demo writes its finance and services databases into one folder');
  return { dir: path.dirname(finance), finance, services };
}

export interface PreparedDemo {
  timeline: DemoTimeline;
  /** Every period of the demo's years that has ended by the last complete month. */
  choice: PeriodChoice;
  /** The last day of the demo's data: the end of the last complete month. */
  lastDay: LocalDate;
}

/**
 * Writes the demo council's databases as of a day where the demo config's sources read them:
 * three financial years to the last complete month before it.
 */
export async function prepareDemo(service: Service, asOf: LocalDate): Promise<PreparedDemo> {
  const { config } = service;
  const timeline = demoTimeline(asOf);
  const files = demoFiles(config);
  const written = await generateDemoDatabases(files.dir, timeline);
  if (path.resolve(written.finance) !== files.finance || path.resolve(written.services) !== files.services) {
    throw new Error(`the demo wrote ${written.finance} and ${written.services}, but the sources read ${files.finance} and ${files.services}`);
  }
  const years = timeline.years.map((y) => config.calendar.yearId(y));
  return { timeline, choice: { from: years[0], to: years[years.length - 1], endedBy: dateOf(timeline.end) }, lastDay: dateOf(timeline.end - 1) };
}
