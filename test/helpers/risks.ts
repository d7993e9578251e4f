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
