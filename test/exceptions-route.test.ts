import { describe, expect, it } from 'vitest';
import type { Directory, Person } from '../src/config/people.js';
import type { RouteConfig } from '../src/config/schema.js';
import type { ExceptionKind, RaisedException } from '../src/exceptions/exception.js';
import { recipientsOf } from '../src/exceptions/route.js';
import { recipientKey } from '../src/notify/plan.js';

const people: Person[] = [
  { id: 'owner', name: 'Olu Owner', email: 'owner@example.gov.uk', roles: [] },
  { id: 'manager', name: 'Mia Manager', email: 'manager@example.gov.uk', roles: [] },
  { id: 'lead', name: 'Lee Lead', email: 'lead@example.gov.uk', roles: [] },
  { id: 'nomail', name: 'Nia Nomail', roles: [] },
  { id: 'extra', name: 'Ezra Extra', email: 'extra@example.gov.uk', roles: [] },
];
const directory = {
  file: 'people.yaml',
  performance_team: { name: 'Performance Team', email: 'team@example.gov.uk' },
  people,
  byId: new Map(people.map((p) => [p.id, p])),
  services: { Repairs: { manager: 'manager' }, Waste: {} },
  data_quality_leads: ['lead'],
} as unknown as Directory;

function exception(kind: ExceptionKind, o: { owners?: string[]; services?: string[]; clinics?: string[]; severity?: 'warn' | 'error' } = {}): RaisedException {
  return {
    key: `${kind}:x`,
    kind,
    severity: o.severity ?? 'error',
    state: 'RED',
    title: 'x',
    subject: { services: o.services ?? ['Repairs'], clinics: o.clinics ?? ['Place'] },
    facts: [],
    explanation: '',
    owners: o.owners ?? ['owner'],
  };
}

const route = (r: Partial<RouteConfig> & { to: string[] }): RouteConfig => ({ replace_defaults: false, ...r });

describe('routing an exception to people', () => {
  it.each<[string, RaisedException, RouteConfig[], string[]]>([
    ['an indicator exception goes to its owner', exception('rag'), [], ['owner@example.gov.uk']],
    ['worsening, governance and data not received too', exception('worsening'), [], ['owner@example.gov.uk']],
    ['with no owner, to the service manager', exception('rag', { owners: [] }), [], ['manager@example.gov.uk']],
    ['with neither, to the performance team', exception('governance', { owners: [], services: ['Waste'] }), [], ['team@example.gov.uk']],
    ['a data-quality failure to the owners and the leads', exception('data_quality'), [], ['owner@example.gov.uk', 'lead@example.gov.uk']],
    ['a suspect value likewise', exception('suspect_value'), [], ['owner@example.gov.uk', 'lead@example.gov.uk']],
    ['a pipeline failure to the performance team', exception('pipeline_failed', { owners: [] }), [], ['team@example.gov.uk']],
    ['a risk to its owner', exception('risk', { owners: ['manager'], services: [] }), [], ['manager@example.gov.uk']],
    ['someone without an address through the performance team, saying for whom', exception('rag', { owners: ['nomail'] }), [], ['team@example.gov.uk for Nia Nomail']],
    ['a route adds its people', exception('rag'), [route({ kind: 'rag', to: ['extra', 'manager'] })], ['owner@example.gov.uk', 'extra@example.gov.uk', 'manager@example.gov.uk']],
    ['a route replaces the defaults when it says so', exception('rag'), [route({ kind: 'rag', to: ['extra'], replace_defaults: true })], ['extra@example.gov.uk']],
    ['a route of another kind does nothing', exception('rag'), [route({ kind: 'risk', to: ['extra'] })], ['owner@example.gov.uk']],
    ['a route by severity', exception('rag', { severity: 'warn' }), [route({ severity: 'error', to: ['extra'] }), route({ severity: 'warn', to: ['lead'] })], ['owner@example.gov.uk', 'lead@example.gov.uk']],
    ['a route by service', exception('rag'), [route({ service: 'Waste', to: ['extra'] }), route({ service: 'Repairs', to: ['performance_team'] })], ['team@example.gov.uk', 'owner@example.gov.uk']],
    ['a route by clinic, to roles', exception('data_quality'), [route({ clinic: 'Place', to: ['manager', 'data_quality_leads'], replace_defaults: true })], ['manager@example.gov.uk', 'lead@example.gov.uk']],
    ['one person named twice is told once', exception('data_quality', { owners: ['lead'] }), [route({ to: ['lead'] })], ['lead@example.gov.uk']],
    ['the team and someone it stands in for are told apart', exception('rag', { owners: ['nomail'] }), [route({ to: ['performance_team'] })], ['team@example.gov.uk', 'team@example.gov.uk for Nia Nomail']],
  ])('%s', (_, e, routes, expected) => {
    expect(recipientsOf(e, directory, routes).map(recipientKey)).toEqual(expected);
  });
});
