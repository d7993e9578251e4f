const AGE = /^\s*(\d+)\s*(?:(h|hours?)|(d|days?)|(working days?))\s*$/i;

export type MaxAge = { hours: number } | { days: number } | { workingDays: number };

/** "48h", "3d", "3 days", "1 working day": how old the newest record may be. */
export function parseMaxAge(text: string): MaxAge {
  const m = AGE.exec(text);
  if (!m) throw new Error(`"${text}" is not an age such as 48h, 3d or "1 working day"`);
  const n = Number(m[1]);
  if (m[2]) return { hours: n };
  if (m[3]) return { days: n };
  return { workingDays: n };
}
