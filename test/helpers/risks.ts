/** One risk, HR-R1, recorded at `current` on the default matrix, with the triggers given. */
export const oneRisk = (triggers: string, current = '{ likelihood: D, impact: II }') => `tolerance_line: { score: 12 }
risks:
  - id: HR-R1
    title: Council homes not repaired in time
    owner: Gareth Holloway
    clinic: Place
    inherent: { likelihood: B, impact: II }
    current: ${current}
    indicators: [HR01]
    triggers:
${triggers}`;

/** A monthly repairs pipeline on `source` with one indicator, on time against a signed-off 90%, its value the query's. */
export const repairsPipeline = (source: string, onTime: number, indicator = 'id: HR01') => `
id: repairs
title: Repairs
source: ${source}
schedule: "0 6 * * *"
frequency: monthly
query: SELECT ${onTime} AS on_time
indicators:
  - ${indicator}
    title: Repairs on time
    unit: "%"
    type: value
    value: on_time
    polarity: higher_is_better
    owner: Sam
    service: Housing
    targets: [{ from: 2024-25, value: 90, signed_off_by: Cabinet, signed_off_on: 2024-03-01, rationale: Contract standard }]
`;
