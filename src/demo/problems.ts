import { MISSING_COLLECTION } from './councilTax.js';
import { FinancialCalendar } from '../calendar/periods.js';
import type { DemoTimeline } from './council.js';
import { fyId } from './council.js';
import { dateOf } from './dates.js';
import { miscodedPosting } from './finance.js';
import { foiRows, NULL_DEPARTMENT_MONTH } from './foi.js';
import { invoicesModel } from './invoices.js';
import { planningModel } from './planning.js';
import { repairsModel } from './repairs.js';

/**
 * A data problem planted in the demo databases on purpose, for data-quality checks to find.
 * Nothing else in the demo data has a problem of the same kind in the same table.
 */
export interface PlantedProblem {
  kind: 'duplicate' | 'null' | 'late' | 'reconciliation';
  database: 'finance' | 'services';
  table: string;
  /** The column that identifies the affected rows, and their values. */
  keyColumn: string;
  keys: string[];
  /** The column left NULL, for a `null` problem. */
  column?: string;
  /** The period the affected rows belong to: a month ('2024-06') or a quarter ('2025-26-Q1'). */
  period: string;
  /** The story as the demo is written (in WRITTEN_YEARS). */
  what: string;
}

/** A month ('2024-06') or quarter ('2025-26-Q1') as written, moved into the timeline's years. */
function periodIn(t: DemoTimeline, written: string): string {
  const quarter = /^(\d{4})-\d{2}-(Q[1-4])$/.exec(written);
  return quarter ? `${fyId(Number(quarter[1]) + t.shift)}-${quarter[2]}` : t.month(written);
}

/** The demo council's financial years start in April. */
const calendar = new FinancialCalendar(4);

/** The problems planted in the timeline's data: those of periods that have ended by its end. */
export function plantedProblems(t: DemoTimeline): PlantedProblem[] {
  const end = dateOf(t.end);
  return writtenProblems(t)
    .map((p) => ({ ...p, period: periodIn(t, p.period) }))
    .filter((p) => p.keys.length > 0 && calendar.parse(p.period).end <= end);
}

function writtenProblems(t: DemoTimeline): PlantedProblem[] {
  const miscoded = miscodedPosting(t);
  const repairs = repairsModel(t).planted;
  const invoices = invoicesModel(t).planted;
  const planning = planningModel(t).planted;
  const services = 'services' as const;
  const finance = 'finance' as const;
  return [
    {
      kind: 'duplicate',
      database: services,
      table: 'repairs',
      keyColumn: 'job_ref',
      keys: repairs.duplicateJobRefs,
      period: '2025-01',
      what: 'jobs imported twice from the contractor system; both copies are costed and paid in the ledger, so repairs still reconcile',
    },
    {
      kind: 'null',
      database: services,
      table: 'repairs',
      keyColumn: 'job_ref',
      keys: repairs.nullPriorityJobRefs,
      column: 'priority',
      period: '2024-10',
      what: 'jobs raised with no priority, so also no target_date; HR01 counts them as not completed within target',
    },
    {
      kind: 'late',
      database: services,
      table: 'repairs',
      keyColumn: 'job_ref',
      keys: repairs.lateJobRefs,
      period: '2024-06',
      what: 'every job reported on 18-19 June 2024 (repairs system outage), keyed in from paper on 16-17 September 2024 (created_at)',
    },
    {
      kind: 'duplicate',
      database: finance,
      table: 'invoices',
      keyColumn: 'invoice_number',
      keys: invoices.duplicateInvoiceNumbers,
      period: '2024-08',
      what: 'invoices keyed twice, three days apart, and paid twice (the second payment two days after the first)',
    },
    {
      kind: 'null',
      database: finance,
      table: 'invoices',
      keyColumn: 'invoice_number',
      keys: invoices.nullSupplierInvoiceNumbers,
      column: 'supplier_name',
      period: '2025-07',
      what: 'invoices received with no supplier name',
    },
    {
      kind: 'late',
      database: finance,
      table: 'invoices',
      keyColumn: 'invoice_number',
      keys: invoices.lateInvoiceNumbers,
      period: '2025-02',
      what: 'invoices received in February 2025 but created on 12-14 May 2025 (found in a closed post room), then paid late in May',
    },
    {
      kind: 'duplicate',
      database: services,
      table: 'planning_applications',
      keyColumn: 'application_ref',
      keys: planning.duplicateRefs,
      period: '2023-08',
      what: 'applications migrated twice from the legacy planning system',
    },
    {
      kind: 'null',
      database: services,
      table: 'planning_applications',
      keyColumn: 'application_ref',
      keys: planning.nullDecisionRefs,
      column: 'decision',
      period: '2025-26-Q1',
      what: 'applications with a decided_date in 2025-26 Q1 but no decision recorded',
    },
    {
      kind: 'null',
      database: services,
      table: 'foi_requests',
      keyColumn: 'reference',
      keys: foiRows(t).nullDepartmentRefs,
      column: 'department',
      period: NULL_DEPARTMENT_MONTH,
      what: 'requests logged by the contact centre without a department',
    },
    {
      kind: 'null',
      database: services,
      table: 'council_tax_collection',
      keyColumn: 'band',
      keys: [MISSING_COLLECTION.band],
      column: 'amount_collected',
      period: MISSING_COLLECTION.month,
      what: 'the Band D row for month_start 2025-08-01 arrived with no amount collected, which pulls CT01 down for the rest of 2025-26',
    },
    {
      kind: 'reconciliation',
      database: finance,
      table: 'ledger_postings',
      keyColumn: 'journal_ref',
      keys: [miscoded.journalRef],
      period: '2024-11',
      what:
        `ledger cost centre ${miscoded.costCentre} exceeds the cost of repairs completed that month (services repairs.cost) ` +
        `by £${(miscoded.amountPence / 100).toFixed(2)}: ${miscoded.description}`,
    },
  ];
}
