import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clinicNamed, clinicPack, packPeriod } from '../src/app/clinicPack.js';
import { reckonExceptions } from '../src/app/exceptions.js';
import type { OpenService } from '../src/app/open.js';
import { dateIn } from '../src/calendar/localDate.js';
import { readClinicsFile } from '../src/config/clinics.js';
import { silentLogger } from '../src/logger.js';
import { renderPack } from '../src/notify/packRender.js';
import { Store } from '../src/store/store.js';
import { councilOf, directoryOf, seededTemplate } from './exceptions.js';
import { compare } from './measure.js';
import type { BenchResult } from './measure.js';

const ROUNDS = 7;
const CLINICS = 5;
/** A year and the same month the year before: the history a pack shows. */
const PERIODS = 13;

/**
 * The exceptions bench's council (1,000 RED or AMBER indicators, five clinics of 200) with 13
 * months stored: drawing up and rendering the largest clinic's pack, against the baseline of
 * reckoning the whole council's exceptions (a dry run: read, raised, reconciled, rendered).
 */
export async function benchClinicPack(): Promise<BenchResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'los-pack-'));
  const config = councilOf(dir, 25);
  const directory = await directoryOf(dir);
  const file = path.join(dir, 'clinics.yaml');
  const clinicLines = Array.from({ length: CLINICS }, (_, c) => `  - { id: clinic-${c}, name: Clinic ${c}, members: [person${c * 3}, person${c * 3 + 1}, person${c * 3 + 2}], schedule: "0 8 * * 2#1" }`);
  writeFileSync(file, `clinics:\n${clinicLines.join('\n')}\n`);
  const { clinics, problems } = await readClinicsFile(file, directory, {});
  if (!clinics || problems.length) throw new Error(`clinics file: ${problems.map((p) => p.message).join('; ')}`);
  const at = new Date();
  const today = dateIn(at, config.service.timezone);
  const storeFile = path.join(dir, 'store.sqlite');
  await seededTemplate(config, storeFile, today, PERIODS);
  const store = new Store({ client: 'sqlite', filename: storeFile });
  await store.migrate();
  const open: Pick<OpenService, 'config' | 'register' | 'directory' | 'clinics' | 'store' | 'logger'> = { config, register: undefined, directory, clinics, store, logger: silentLogger };
  try {
    const clinic = clinicNamed(open, 'clinic-0');
    const period = packPeriod(open, clinic, today);
    let raised = 0;
    let rows = 0;
    let history = 0;
    let bytes = 0;
    const result = await compare(
      ROUNDS,
      async () => void (raised = (await reckonExceptions(open, at, { dry: true })).raised.exceptions.length),
      async () => {
        const pack = await clinicPack(open, clinic, period, at);
        const rendered = renderPack(pack, config.service.exceptions.links);
        rows = pack.rows.length;
        history = Math.min(...pack.rows.map((r) => r.history.length));
        bytes = rendered.html.length + rendered.text.length + rendered.attachments.reduce((n, a) => n + a.content.length, 0);
      },
    );
    return {
      name: `clinic pack: the largest clinic's pack (${rows} exceptions, each with ${PERIODS} periods of history) drawn up and rendered as HTML, text and CSV`,
      target: "one clinic's pack <= 1.5x reckoning the whole council's exceptions (1,000, dry run)",
      measured: `${result.candidateMs.toFixed(0)} ms vs ${result.baselineMs.toFixed(0)} ms reckoning ${raised} exceptions (${result.ratio.toFixed(2)}x); ${rows} rows, the shortest history ${history} periods, ${(bytes / 1024).toFixed(0)} KiB rendered`,
      pass: result.ratio <= 1.5 && rows === 200 && history === PERIODS && raised === 1_000,
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
