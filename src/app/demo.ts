import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { DEMO_YEARS, generateDemoDatabases } from '../demo/generate.js';
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

/** Writes the demo council's databases where the demo config's sources read them; the demo's years, first and last. */
export async function prepareDemo(service: Service): Promise<{ first: string; last: string }> {
  const { config } = service;
  const files = demoFiles(config);
  const written = await generateDemoDatabases(files.dir);
  if (path.resolve(written.finance) !== files.finance || path.resolve(written.services) !== files.services) {
    throw new Error(`the demo wrote ${written.finance} and ${written.services}, but the sources read ${files.finance} and ${files.services}`);
  }
  return { first: config.calendar.yearId(DEMO_YEARS[0]), last: config.calendar.yearId(DEMO_YEARS[DEMO_YEARS.length - 1]!) };
}
