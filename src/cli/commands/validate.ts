import type { Command } from 'commander';
import { dateIn } from '../../calendar/localDate.js';
import { configPath } from '../../config/load.js';
import { servicesWithoutIndicators, withoutAddress } from '../../config/people.js';
import { formatProblem } from '../../config/problems.js';
import { arrivalFindings, findingLines, latestFindings, settingFindings } from '../../report/findings.js';
import { serviceFor, type GlobalOptions } from '../context.js';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check the service config and every pipeline; list every problem with file, line and field')
    .addHelpText(
      'after',
      '\nGovernance findings (no target in force for the latest complete period, targets not signed off or\nwithout a rationale, tolerances without a reason, indicators without an owner), people without an email address, and database pipelines\nwith no arrival rule (a period with no data reads as 0) are listed but do not make the configuration\ninvalid. Exit status 0 when valid, 1 when not (nothing is run or stored).',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const file = configPath(options.config, process.env);
      const { config, register, directory, clinics } = await serviceFor(options);
      const indicators = config.pipelines.reduce((n, p) => n + p.indicators.length, 0);
      const { targets_file } = config.service;
      const fileTargets = [...config.targetOrigins.values()].filter((o) => o.yaml.file === targets_file).length;
      const parts = [
        `${config.pipelines.length} pipelines`,
        `${indicators} indicators`,
        ...(targets_file ? [`${fileTargets} target${fileTargets === 1 ? '' : 's'} in ${targets_file}`] : []),
        register ? `${register.risks.length} risks in ${register.file}` : 'no risk register',
        directory ? `${directory.people.length} people in ${directory.file}` : 'no people directory (nobody is emailed)',
        ...(clinics ? [`${clinics.clinics.length} clinics in ${clinics.file}`] : []),
      ];
      process.stdout.write(`${file}: valid (${parts.join(', ')})\n`);
      const findings = latestFindings(config, dateIn(new Date(), config.service.timezone));
      if (findings.length) process.stdout.write(`${findings.length} governance finding(s):\n${findingLines(findings).join('\n')}\n`);
      const arrival = arrivalFindings(config);
      if (arrival.length) process.stdout.write(`${arrival.length} data arrival finding(s):\n${arrival.map((f) => `arrival: ${formatProblem(f)}`).join('\n')}\n`);
      const unaddressed = directory ? [...withoutAddress(directory), ...servicesWithoutIndicators(directory, config.pipelines)] : [];
      if (unaddressed.length) process.stdout.write(`${unaddressed.length} finding(s) in the people directory:\n${unaddressed.map((f) => `people: ${formatProblem(f)}`).join('\n')}\n`);
      const settings = settingFindings(config);
      if (settings.length) process.stdout.write(`${settings.length} setting(s) with no effect:\n${settings.map((f) => `note: ${formatProblem(f)}`).join('\n')}\n`);
    });
}
