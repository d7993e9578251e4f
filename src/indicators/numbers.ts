/**
 * Comparisons that forgive binary floating point: 95 x 0.95 is 90.25 to a person, and a value
 * exactly on a boundary must land on the side docs/rag.md says (the boundary itself is AMBER),
 * not on whichever side the last bit of a double happens to fall.
 */
const RELATIVE_EPSILON = 1e-9;

/** Equal to within a billionth of their magnitude (and of 1, so that values near zero compare sanely). */
export function nearlyEqual(a: number, b: number): boolean {
  return Math.abs(a - b) <= RELATIVE_EPSILON * Math.max(1, Math.abs(a), Math.abs(b));
}

/** -1, 0 or 1 as a is below, (nearly) equal to, or above b. */
export function compare(a: number, b: number): -1 | 0 | 1 {
  if (nearlyEqual(a, b)) return 0;
  return a < b ? -1 : 1;
}
