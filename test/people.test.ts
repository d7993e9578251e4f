import { describe, expect, it } from 'vitest';
import { loadService } from '../src/app/service.js';
import { ConfigError, formatProblem } from '../src/config/problems.js';
import { servicesWithoutIndicators, withoutAddress } from '../src/config/people.js';
import { workspace } from './helpers/workspace.js';

const PIPELINE = (owner: string) => `
id: calls
title: Calls
source: db
schedule: "0 6 * * *"
frequency: monthly
query: SELECT 1 AS n
historical: true
indicators:
  - { id: CS1, title: Calls, type: count, value: n, polarity: higher_is_better, owner: ${owner}, service: Contact centre }
`;

const RISKS = (owner: string) => `
tolerance_line: { score: 12 }
risks:
  - { id: R1, title: Calls unanswered, owner: ${owner}, clinic: Customer, inherent: { likelihood: B, impact: II }, current: { likelihood: C, impact: III } }
`;

function service(o: { people: string; owner?: string; riskOwner?: string; exceptions?: string }) {
  const ws = workspace({
    'lineofsight.yaml': [
      'pipelines_dir: {{dir}}/pipelines',
      'risks_file: {{dir}}/risks.yaml',
      'people_file: {{dir}}/people.yaml',
      'sources:\n  db: { client: sqlite, connection: {{dir}}/db.sqlite }',
      ...(o.exceptions ? [`exceptions:\n${o.exceptions}`] : []),
      '',
    ].join('\n'),
    'people.yaml': o.people,
    'risks.yaml': RISKS(o.riskOwner ?? 'sam'),
    'pipelines/calls.yaml': PIPELINE(o.owner ?? 'sam'),
  });
  return { ws, load: () => loadService(ws.config, {}) };
}

async function problems(load: () => Promise<unknown>): Promise<string[]> {
  try {
    await load();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map(formatProblem);
    throw err;
  }
  return [];
}

const GOOD = `
performance_team: { email: team@example.gov.uk }
people:
  - { id: sam, name: Sam Owner, email: sam@example.gov.uk }
  - { id: nia, name: Nia Nomail }
services:
  Contact centre: { manager: sam }
data_quality_leads: [sam]
`;

describe('the people directory', () => {
  it('is read whole, and says who has no address and where their mail goes', async () => {
    const { directory } = await service({ people: GOOD }).load();
    expect(directory?.byId.get('sam')?.email).toBe('sam@example.gov.uk');
    expect(withoutAddress(directory!).map((p) => `${p.line}: ${p.message}`)).toEqual([
      '5: Nia Nomail (nia) has no email address: their mail goes to the performance team (team@example.gov.uk), saying it is for them',
    ]);
  });

  it('refuses the configuration, listing every person named who is not in the directory at once, each where it is named', async () => {
    const people = `
performance_team: { email: team@example.gov.uk }
people:
  - { id: sam, name: Sam Owner, email: sam@example.gov.uk }
services:
  Contact centre: { manager: mia }
data_quality_leads: [sam, lee]
`;
    const s = service({ people, owner: 'Sam Owner', riskOwner: 'ria', exceptions: '  routes:\n    - { kind: risk, to: [performance_team, ezra] }\n  data_not_received: [{ after: 10d, to: [owner, bo] }]' });
    const found = await problems(s.load);
    const file = (name: string) => s.ws.file(name);
    expect(found).toEqual([
      `${file('people.yaml')}:6:30: services.Contact centre.manager: manager "mia" is not in the people directory`,
      `${file('people.yaml')}:7:27: data_quality_leads[1]: data-quality lead "lee" is not in the people directory`,
      `${file('pipelines/calls.yaml')}:10:88: indicators[0].owner: owner of CS1 "Sam Owner" is not in the people directory ${file('people.yaml')} (give a person id from it)`,
      `${file('risks.yaml')}:4:47: risks[0].owner: owner of risk R1 "ria" is not in the people directory ${file('people.yaml')} (give a person id from it)`,
      `${file('lineofsight.yaml')}:8:44: exceptions.routes[0].to[1]: route recipient "ezra" is not in the people directory ${file('people.yaml')} (give a person id from it)`,
      `${file('lineofsight.yaml')}:9:49: exceptions.data_not_received[0].to[1]: escalation recipient "bo" is not in the people directory ${file('people.yaml')} (give a person id from it)`,
    ]);
  });

  it.each([
    ['an address that is not one', 'performance_team: { email: team@example.gov.uk }\npeople:\n  - { id: sam, name: Sam, email: not-an-address }\n', /people\[0\]\.email/],
    ['no performance team', 'people: []\n', /performance_team/],
    ['a person listed twice', 'performance_team: { email: t@example.gov.uk }\npeople:\n  - { id: sam, name: Sam }\n  - { id: sam, name: Sam again }\n', /people\[1\]\.id: person id "sam" is used twice/],
    ['an unknown key', 'performance_team: { email: t@example.gov.uk }\nleads: [sam]\n', /leads/],
  ])('refuses %s, located', async (_, people, expected) => {
    const found = await problems(service({ people }).load);
    expect(found.join('\n')).toMatch(expected);
  });

  it('says which of its services no indicator has', async () => {
    const { directory, config } = await service({ people: GOOD.replace('Contact centre: { manager: sam }', 'Contact centre: { manager: sam }\n  Contact center: { manager: sam }') }).load();
    expect(servicesWithoutIndicators(directory!, config.pipelines).map((p) => `${p.line}: ${p.message}`)).toEqual(['8: no indicator has the service "Contact center" (services indicators name: Contact centre)']);
  });

  it('is optional: without one exceptions are raised, nobody is emailed, and owners are free text', async () => {
    const ws = workspace({
      'lineofsight.yaml': 'pipelines_dir: {{dir}}/pipelines\nsources:\n  db: { client: sqlite, connection: {{dir}}/db.sqlite }\n',
      'pipelines/calls.yaml': PIPELINE('Sam Owner'),
    });
    expect((await loadService(ws.config, {})).directory).toBeUndefined();
  });
});
