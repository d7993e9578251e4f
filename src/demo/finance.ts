import type { Knex } from 'knex';
import { fyId, pounds, wholeYearsOf, type DemoMonth, type DemoTimeline } from './council.js';
import { dateOf, dayOf, isWorkingDay, workingDayOnOrBefore, type Day } from './dates.js';
import { invoiceRow, invoicesModel } from './invoices.js';
import { randomStream, type Random } from './random.js';
import { repairCostByMonth, repairsModel, RESPONSIVE_REPAIRS, VOID_REPAIRS } from './repairs.js';
import { numbered, writeTables, type DemoTable, type Row } from './tables.js';

interface CostCentre {
  code: string;
  name: string;
  grouping: 'Resources' | 'Customer' | 'Place';
  budgetHolder: string;
  /** 2023-24 budget in pounds; repairs budgets follow the repairs instead. */
  budget2023?: number;
}

const COST_CENTRES: readonly CostCentre[] = [
  { code: 'R110', name: 'Corporate Management', grouping: 'Resources', budgetHolder: 'Elaine Carver', budget2023: 1_200_000 },
  { code: 'R210', name: 'Finance and Exchequer', grouping: 'Resources', budgetHolder: 'Priya Raman', budget2023: 1_900_000 },
  { code: 'R220', name: 'Revenues and Benefits', grouping: 'Resources', budgetHolder: 'Tom Ashworth', budget2023: 2_600_000 },
  { code: 'R310', name: 'ICT', grouping: 'Resources', budgetHolder: 'Neil Gaskell', budget2023: 2_200_000 },
  { code: 'R410', name: 'Legal and Democratic Services', grouping: 'Resources', budgetHolder: 'Fiona Lister', budget2023: 1_400_000 },
  { code: 'C110', name: 'Customer Contact Centre', grouping: 'Customer', budgetHolder: 'Angela Moss', budget2023: 1_600_000 },
  { code: 'C210', name: 'Information Governance', grouping: 'Customer', budgetHolder: 'Marcus Bell', budget2023: 350_000 },
  { code: 'P110', name: 'Development Management', grouping: 'Place', budgetHolder: 'Sian Pritchard', budget2023: 1_800_000 },
  { code: 'P210', name: 'Waste Collection', grouping: 'Place', budgetHolder: 'Dawn Fletcher', budget2023: 4_800_000 },
  { code: 'P220', name: 'Street Cleansing', grouping: 'Place', budgetHolder: 'Dawn Fletcher', budget2023: 1_900_000 },
  { code: 'P310', name: 'Parks and Open Spaces', grouping: 'Place', budgetHolder: 'Owen Price', budget2023: 1_500_000 },
  { code: 'H110', name: 'Housing Management', grouping: 'Place', budgetHolder: 'Gareth Holloway', budget2023: 3_100_000 },
  { code: RESPONSIVE_REPAIRS, name: 'Responsive Repairs', grouping: 'Place', budgetHolder: 'Gareth Holloway' },
  { code: VOID_REPAIRS, name: 'Void Property Repairs', grouping: 'Place', budgetHolder: 'Gareth Holloway' },
];

const ACCOUNTS = [
  ['0100', 'Employees', 0.62],
  ['0200', 'Premises', 0.09],
  ['0300', 'Transport', 0.07],
  ['0400', 'Supplies and services', 0.17],
  ['0500', 'Third party payments', 0.05],
] as const;
const REPAIRS_ACCOUNT = ['0510', 'Contractor payments'] as const;

/** Spend above (or below) budget over runs of months ('YYYY-MM' as written, inclusive): the stories behind FIN02. */
const DRIFT: readonly { costCentre: string; from: string; to: string; drift: number }[] = [
  { costCentre: 'P310', from: '2023-04', to: '2024-03', drift: -0.04 }, // vacant posts held open
  { costCentre: 'P210', from: '2024-04', to: '2025-03', drift: 0.03 }, // repairs to an ageing fleet
  { costCentre: 'R310', from: '2024-04', to: '2025-03', drift: 0.03 }, // licence renewals above inflation
  { costCentre: 'C110', from: '2025-04', to: '2026-03', drift: 0.04 }, // agency staff covering vacancies
  { costCentre: 'P210', from: '2025-07', to: '2026-03', drift: 0.16 }, // hired refuse trucks after two vehicles failed
];
/** Repairs budgets as a share of what the repairs turned out to cost, by the year as written. */
const REPAIRS_BUDGET_COVER: Record<string, Record<number, number>> = {
  [RESPONSIVE_REPAIRS]: { 2023: 1.02, 2024: 0.99, 2025: 0.95 },
  [VOID_REPAIRS]: { 2023: 1.0, 2024: 1.0, 2025: 0.98 },
};
/** Parks spend follows the growing season; everything else is profiled flat. */
const PARKS_PROFILE = [0.6, 0.6, 0.8, 1.1, 1.3, 1.3, 1.3, 1.2, 1.1, 1.0, 0.9, 0.8];
/** Repairs are profiled on last winter's pattern. */
const REPAIRS_PROFILE = [1.4, 1.25, 1.05, 0.92, 0.88, 0.85, 0.85, 0.85, 0.95, 1.05, 1.15, 1.3];

/** A planned maintenance journal posted to responsive repairs (as written: 28 November 2024, or the working day before). */
export function miscodedPosting(t: DemoTimeline) {
  const postingDate = dateOf(workingDayOnOrBefore(t.day('2024-11-28')));
  return {
    journalRef: `JNL-${postingDate.slice(0, 4)}-M0001`,
    costCentre: RESPONSIVE_REPAIRS,
    postingDate,
    amountPence: 1_845_000,
    description: 'Roof renewals, Beech Court: planned maintenance miscoded to responsive repairs',
  } as const;
}

function profileWeight(code: string, month: DemoMonth): number {
  const i = month.calendarMonth - 1;
  if (code === 'P310') return PARKS_PROFILE[i] as number;
  if (code === RESPONSIVE_REPAIRS) return REPAIRS_PROFILE[i] as number;
  return 1;
}

/** Monthly budget in pence: the annual budget spread by weight, the rounding left in March. */
function profile(code: string, annualPence: number, months: readonly DemoMonth[]): number[] {
  const weights = months.map((m) => profileWeight(code, m));
  const total = weights.reduce((a, b) => a + b, 0);
  const out = weights.map((w) => Math.round((annualPence * w) / total));
  out[out.length - 1] = (out[out.length - 1] as number) + annualPence - out.reduce((a, b) => a + b, 0);
  return out;
}

/** `written`: the financial year as the demo is written (see WRITTEN_YEARS). */
function annualBudgetPence(cc: CostCentre, written: number, repairCost: Map<string, number>, months: readonly DemoMonth[]): number {
  if (cc.budget2023 !== undefined) return Math.round((cc.budget2023 * 1.03 ** (written - 2023)) / 100) * 100 * 100;
  const spent = months.reduce((sum, m) => sum + (repairCost.get(`${cc.code} ${m.id}`) ?? 0), 0);
  const cover = REPAIRS_BUDGET_COVER[cc.code]?.[written] ?? 1;
  return Math.round((spent * cover) / 100_000) * 100_000;
}

function randomWorkingDay(rnd: Random, month: DemoMonth): Day {
  for (;;) {
    const day = rnd.int(month.start, month.end - 1);
    if (isWorkingDay(day)) return day;
  }
}

interface Posting {
  /** Set only on the planted posting; every other journal is numbered in posting order. */
  journalRef?: string;
  costCentre: string;
  account: readonly [code: string, name: string];
  day: Day;
  pence: number;
  description: string;
}

/** One contractor valuation a month: the cost of the repairs completed in it. */
function repairsPostings(t: DemoTimeline, cc: CostCentre, month: DemoMonth, repairCost: Map<string, number>): Posting[] {
  const miscoded = miscodedPosting(t);
  const valuation: Posting = {
    costCentre: cc.code,
    account: REPAIRS_ACCOUNT,
    day: workingDayOnOrBefore(month.end - 1),
    pence: repairCost.get(`${cc.code} ${month.id}`) ?? 0,
    description: `${cc.name}: contractor valuation ${month.id}`,
  };
  if (cc.code !== miscoded.costCentre || month.id !== miscoded.postingDate.slice(0, 7)) return [valuation];
  const planted: Posting = {
    journalRef: miscoded.journalRef,
    costCentre: cc.code,
    account: REPAIRS_ACCOUNT,
    day: dayOf(miscoded.postingDate),
    pence: miscoded.amountPence,
    description: miscoded.description,
  };
  return [planted, valuation];
}

/** A month's spend on each account: the profiled budget, off by the cost centre's drift and noise. */
function servicePostings(rnd: Random, t: DemoTimeline, cc: CostCentre, month: DemoMonth, budgetPence: number): Posting[] {
  const written = t.written(month.id);
  const drift = DRIFT.find((d) => d.costCentre === cc.code && written >= d.from && written <= d.to)?.drift ?? 0;
  return ACCOUNTS.map(([code, name, share]) => ({
    costCentre: cc.code,
    account: [code, name] as const,
    // Salaries are paid on the 25th; everything else lands on any working day.
    day: code === '0100' ? workingDayOnOrBefore(month.start + 24) : randomWorkingDay(rnd, month),
    pence: Math.round(budgetPence * share * (1 + drift + 0.025 * rnd.normal())),
    description: `${cc.name}: ${name.toLowerCase()} ${month.id}`,
  }));
}

export function financeTables(t: DemoTimeline): DemoTable[] {
  const rnd = randomStream('ledger');
  const repairCost = repairCostByMonth(repairsModel(t).jobs);
  // Budgets are set for whole years before they start, the last year's too: they are planned
  // on the whole year's repairs and profiled over all twelve months, of which only those to
  // date have postings.
  const whole = wholeYearsOf(t);
  const plannedCost = whole.end === t.end ? repairCost : repairCostByMonth(repairsModel(whole).jobs);
  const budgets: Row[] = [];
  const profiles: Row[] = [];
  const postings: Row[] = [];
  for (const fy of t.years) {
    const months = whole.months.filter((m) => m.fyYear === fy);
    for (const cc of COST_CENTRES) {
      const annual = annualBudgetPence(cc, t.writtenYear(fy), plannedCost, months);
      budgets.push({ cost_centre_code: cc.code, financial_year: fyId(fy), annual_budget: pounds(annual) });
      const monthly = profile(cc.code, annual, months);
      months.forEach((month, i) => {
        const budget = monthly[i] as number;
        profiles.push({ cost_centre_code: cc.code, financial_year: fyId(fy), month_start: dateOf(month.start), amount: pounds(budget) });
        if (month.start >= t.end) return;
        const posted = cc.budget2023 === undefined ? repairsPostings(t, cc, month, repairCost) : servicePostings(rnd, t, cc, month, budget);
        for (const p of posted) {
          postings.push({
            journal_ref: p.journalRef ?? `JNL-${fy}-${String(postings.length + 1).padStart(6, '0')}`,
            cost_centre_code: p.costCentre,
            account_code: p.account[0],
            account_name: p.account[1],
            posting_date: dateOf(p.day),
            amount: pounds(p.pence),
            description: p.description,
          });
        }
      });
    }
  }

  return [
    {
      name: 'cost_centres',
      define: (t) => {
        t.string('code', 8).primary();
        t.string('name', 80).notNullable();
        t.string('service_grouping', 20).notNullable();
        t.string('budget_holder', 60).notNullable();
      },
      rows: COST_CENTRES.map((cc) => ({ code: cc.code, name: cc.name, service_grouping: cc.grouping, budget_holder: cc.budgetHolder })),
    },
    {
      name: 'budgets',
      define: (t) => {
        t.integer('id').primary();
        t.string('cost_centre_code', 8).notNullable();
        t.string('financial_year', 7).notNullable();
        t.decimal('annual_budget', 14, 2).notNullable();
      },
      rows: numbered(budgets),
    },
    {
      name: 'budget_profiles',
      define: (t) => {
        t.integer('id').primary();
        t.string('cost_centre_code', 8).notNullable();
        t.string('financial_year', 7).notNullable();
        t.date('month_start').notNullable().index();
        t.decimal('amount', 14, 2).notNullable();
      },
      rows: numbered(profiles),
    },
    {
      name: 'ledger_postings',
      define: (t) => {
        t.integer('id').primary();
        t.string('journal_ref', 20).notNullable();
        t.string('cost_centre_code', 8).notNullable();
        t.string('account_code', 8).notNullable();
        t.string('account_name', 40).notNullable();
        t.date('posting_date').notNullable().index();
        t.decimal('amount', 14, 2).notNullable();
        t.string('description', 120).notNullable();
      },
      rows: numbered(postings),
    },
    {
      name: 'invoices',
      define: (t) => {
        t.integer('id').primary();
        t.string('invoice_number', 20).notNullable();
        t.string('supplier_name', 80).nullable();
        t.string('cost_centre_code', 8).notNullable();
        t.decimal('amount', 12, 2).notNullable();
        t.date('received_date').notNullable().index();
        t.date('due_date').notNullable();
        t.date('paid_date').nullable().index();
        t.datetime('created_at', { useTz: false }).notNullable();
      },
      rows: numbered(invoicesModel(t).invoices.map(invoiceRow)),
    },
  ];
}

/** Replaces the demo finance tables in `db`: cost centres, budgets, ledger and invoices. */
export async function generateFinance(db: Knex, t: DemoTimeline): Promise<void> {
  await writeTables(db, financeTables(t));
}
