import { fyId, pounds, type DemoTimeline } from './council.js';
import { dateOf } from './dates.js';
import { randomStream } from './random.js';
import type { Row } from './tables.js';

/** Chargeable dwellings by band, and each band's charge in ninths of Band D. */
const BANDS = [
  ['A', 9800, 6],
  ['B', 10900, 7],
  ['C', 8700, 8],
  ['D', 5600, 9],
  ['E', 3500, 11],
  ['F', 1900, 13],
  ['G', 1200, 15],
  ['H', 200, 18],
] as const;
/** All chargeable dwellings: the demo's household count. */
export const HOUSEHOLDS = BANDS.reduce((sum, [, dwellings]) => sum + dwellings, 0);

const BAND_D_2023_PENCE = 209_854;
const ANNUAL_RISE = 1.0499;
/** Share of the gross charge left after single-person discounts and exemptions. */
const NET_OF_DISCOUNTS: Record<string, number> = { A: 0.86, B: 0.9, C: 0.93 };
/** Council tax is paid in 10 monthly instalments, April to January. */
const INSTALMENTS = 10;
/** Share of each month's instalments paid that month; the cost of living bit in 2025-26. */
/** By the year as written (see WRITTEN_YEARS). */
const PAID_ON_TIME: Record<number, number> = { 2023: 0.974, 2024: 0.973, 2025: 0.971 };
const BAND_EFFECT: Record<string, number> = { A: -0.015, B: -0.008, C: -0.003, D: 0, E: 0.004, F: 0.006, G: 0.008, H: 0.01 };
/** Share of the year's arrears recovered each month by reminders and summonses. */
const RECOVERY = 0.15;

/** The August 2025 (as written) Band D row arrived from the revenues system with no amount collected. */
export const MISSING_COLLECTION = { month: '2025-08', band: 'D' } as const;

export function councilTaxRows(t: DemoTimeline): Row[] {
  const rnd = randomStream('council-tax');
  const rows: Row[] = [];
  const missingMonth = t.month(MISSING_COLLECTION.month);
  for (const fy of t.years) {
    const written = t.writtenYear(fy);
    const bandD = BAND_D_2023_PENCE * ANNUAL_RISE ** (written - 2023);
    const months = t.months.filter((m) => m.fyYear === fy);
    for (const [band, dwellings, ninths] of BANDS) {
      const annual = Math.round(((dwellings * bandD * ninths) / 9) * (NET_OF_DISCOUNTS[band] ?? 0.95));
      const instalment = Math.floor(annual / INSTALMENTS);
      let outstanding = 0;
      months.forEach((month, i) => {
        const due = i >= INSTALMENTS ? 0 : i === 0 ? annual - instalment * (INSTALMENTS - 1) : instalment;
        const rate = (PAID_ON_TIME[written] as number) + (BAND_EFFECT[band] as number) + 0.003 * rnd.normal();
        const collected = Math.round(due * rate + outstanding * RECOVERY);
        outstanding += due - collected;
        const missing = month.id === missingMonth && band === MISSING_COLLECTION.band;
        rows.push({
          financial_year: fyId(fy),
          month_start: dateOf(month.start),
          band,
          dwellings,
          amount_due: pounds(due),
          amount_collected: missing ? null : pounds(collected),
        });
      });
    }
  }
  return rows;
}
