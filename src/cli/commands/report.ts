import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { clinicNamed, clinicPack, packPeriod, sendClinicPack } from '../../app/clinicPack.js';
import { deliverOutbox } from '../../app/deliver.js';
import { dateIn } from '../../calendar/localDate.js';
import { renderPack } from '../../notify/packRender.js';
import { packJson } from '../../report/pack.js';
import { shown } from '../../text.js';
import { withOpenService, type GlobalOptions } from '../context.js';

interface ReportOptions {
  clinic: string;
  period?: string;
  out?: string;
  send?: boolean;
  json?: boolean;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description("an improvement clinic's exception pack as the store stands: printed as text, written as HTML, or sent to its members")
    .requiredOption('--clinic <id>', 'the clinic (an id from clinics_file)')
    .option('--period <period>', "the period it covers (2024-10, 2024-Q2, 2024); default: the latest complete one of the clinic's kind")
    .option('--out <file>', 'write the HTML to this file, and its CSV beside it')
    .option('--send', "send it to the clinic's members through the outbox, whatever was sent before (a scheduled pack is sent once a period)")
    .option('--json', 'print the documented JSON shape')
    .action(async (opts: ReportOptions, cmd: Command) => {
      await withOpenService(cmd.optsWithGlobals<GlobalOptions>(), async (open) => {
        const clinic = clinicNamed(open, opts.clinic);
        const at = new Date();
        const period = packPeriod(open, clinic, dateIn(at, open.config.service.timezone), opts.period);
        const out: string[] = [];
        const pack = opts.send ? (await sendClinicPack(open, clinic, period, at, { scheduled: false })).pack : await clinicPack(open, clinic, period, at);
        const rendered = renderPack(pack, open.config.service.exceptions.links);
        if (opts.out) {
          await writeFile(opts.out, rendered.html);
          out.push(`wrote ${opts.out}`);
          for (const a of rendered.attachments) {
            const file = path.join(path.dirname(opts.out), a.filename);
            await writeFile(file, a.content);
            out.push(`wrote ${file}`);
          }
        }
        if (opts.send) {
          const delivered = await deliverOutbox(open);
          out.push(`${rendered.subject}: written to the outbox for the clinic's members; ${delivered.sent} sent (${delivered.via}), ${delivered.retrying} to retry, ${delivered.failed} failed; what waits for the sending hours is listed by \`lineofsight outbox --state pending\``);
        }
        if (opts.json) process.stdout.write(`${JSON.stringify({ pack: packJson(pack) }, null, 2)}\n`);
        // The text carries source data (check messages, why data is awaited): shown safe, line by line.
        else process.stdout.write(`${(out.length ? out : rendered.text.trimEnd().split('\n')).map(shown).join('\n')}\n`);
      });
    });
}
