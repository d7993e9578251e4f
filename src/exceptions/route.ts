import type { Directory, Person } from '../config/people.js';
import type { ExceptionKind, RouteConfig } from '../config/schema.js';
import type { RaisedException } from './exception.js';

/** Where one person's mail goes: their own address, or the performance team's for one who has none. */
export interface Recipient {
  address: string;
  name: string;
  /** The person the mail is for, when it goes to the performance team in their stead. */
  onBehalfOf?: string;
}

/** Who gets an exception by default, by its kind, before any route, unless it names its own. */
const DEFAULTS: Record<ExceptionKind, readonly string[]> = {
  rag: ['owner'],
  worsening: ['owner'],
  governance: ['owner'],
  // Its escalation step names its own (`to`): this is only the kind's fallback.
  data_not_received: ['owner'],
  data_quality: ['owner', 'data_quality_leads'],
  suspect_value: ['owner', 'data_quality_leads'],
  risk: ['risk_owner'],
  pipeline_failed: ['performance_team'],
};

/** Whether a route's conditions all hold of an exception: a service or clinic matches any the exception concerns. */
function matches(route: RouteConfig, e: RaisedException): boolean {
  return (
    (route.kind === undefined || route.kind === e.kind) &&
    (route.severity === undefined || route.severity === e.severity) &&
    (route.service === undefined || e.subject.services.includes(route.service)) &&
    (route.clinic === undefined || e.subject.clinics.includes(route.clinic))
  );
}

/**
 * The people an exception goes to: its own (an escalation step's) or its kind's defaults (an
 * indicator's owner, data-quality leads, the performance team, a risk's owner), then every route that matches adds its own or,
 * with replace_defaults, takes their place. An indicator with no owner goes to its service's
 * manager, and with neither to the performance team, so that no exception goes to nobody.
 */
export function recipientsOf(e: RaisedException, directory: Directory, routes: readonly RouteConfig[]): Recipient[] {
  const matching = routes.filter((r) => matches(r, e));
  const names = matching.some((r) => r.replace_defaults) ? [] : [...(e.to ?? DEFAULTS[e.kind])];
  for (const r of matching) names.push(...r.to);
  const people: Person[] = [];
  let team = false;
  const add = (id: string) => {
    const person = directory.byId.get(id);
    if (person) people.push(person);
  };
  const managers = () => e.subject.services.flatMap((s) => (directory.services[s]?.manager ? [directory.services[s]!.manager!] : []));
  for (const name of names) {
    if (name === 'owner' || name === 'risk_owner') {
      const owners = e.owners.length ? e.owners : managers();
      if (owners.length) owners.forEach(add);
      else team = true;
    } else if (name === 'manager') managers().forEach(add);
    else if (name === 'data_quality_leads') directory.data_quality_leads.forEach(add);
    else if (name === 'performance_team') team = true;
    else add(name);
  }
  const byAddress = new Map<string, Recipient>();
  if (team) byAddress.set(directory.performance_team.email, { address: directory.performance_team.email, name: directory.performance_team.name });
  for (const p of people) {
    const recipient: Recipient = p.email ? { address: p.email, name: p.name } : { address: directory.performance_team.email, name: directory.performance_team.name, onBehalfOf: p.name };
    // Mail for someone without an address says for whom it is; the team's own copy needs no such word.
    const key = recipient.onBehalfOf ? `${recipient.address}\n${recipient.onBehalfOf}` : recipient.address;
    if (!byAddress.has(key) && !(recipient.onBehalfOf === undefined && byAddress.has(recipient.address))) byAddress.set(key, recipient);
  }
  return [...byAddress.values()];
}
