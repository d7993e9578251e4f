import { fyOf, pounds, type DemoTimeline } from './council.js';
import { addWorkingDays, dateOf, dayOf, isWorkingDay, monthOf, timestampOf, type Day } from './dates.js';
import { randomStream } from './random.js';
import type { Row } from './tables.js';

/** Payment terms: an invoice is due 30 days after it is received. */
const PAYMENT_TERMS_DAYS = 30;

const SUPPLIERS = [
  'Vale Building Supplies Ltd', 'Ashbourne Plumbing Services', 'Northgate Fleet Hire', 'Kestrel IT Solutions', 'Marlow & Finch Solicitors',
  'Greenway Grounds Maintenance', 'Brightside Cleaning Co', 'Harcourt Office Supplies', 'Peak Electrical Contractors', 'Riverside Print Ltd',
  'Valley Fuel Cards', 'Oakfield Security Systems', 'Thornbury Training Partners', 'Castlegate Catering', 'Meridian Software plc',
  'Foxley Roofing Ltd', 'Hollins Waste Equipment', 'Sterling Utilities Group', 'Pennine Agency Staff', 'Willowbrook Consultancy',
  'Copperfield Signs', 'Eastmere Tree Surgeons', 'Lantern Legal Searches', 'Bridgewater Insurance Brokers', 'Summit Telecoms',
];
const INVOICED_COST_CENTRES = ['R110', 'R210', 'R220', 'R310', 'R410', 'C110', 'C210', 'P110', 'P210', 'P220', 'P310', 'H110'];
/** By the year as written (see WRITTEN_YEARS). */
const ON_TIME_BY_YEAR: Record<number, number> = { 2022: 0.962, 2023: 0.962, 2024: 0.968, 2025: 0.965 };

export interface Invoice {
  invoiceNumber: string;
  supplier: string | null;
  costCentre: string;
  amountPence: number;
  received: Day;
  paid: Day | null;
  createdAt: string;
}

export interface InvoicesModel {
  invoices: Invoice[];
  planted: {
    /** Invoice numbers keyed twice (by the service and by accounts payable) and paid twice. */
    duplicateInvoiceNumbers: string[];
    nullSupplierInvoiceNumbers: string[];
    /** Received in February 2025, found in a closed post room and keyed in May 2025. */
    lateInvoiceNumbers: string[];
  };
}

/** Christmas and New Year closures slow approvals; a new finance system went live in April 2025. */
function onTimeChance(t: DemoTimeline, received: Day): number {
  const date = t.written(dateOf(received));
  const md = date.slice(5);
  if (md >= '12-08' || md <= '01-05') return 0.78;
  if (date >= '2025-04-01' && date < '2025-07-01') return 0.9;
  return ON_TIME_BY_YEAR[t.writtenYear(fyOf(received))] as number;
}

export function invoicesModel(t: DemoTimeline): InvoicesModel {
  const rnd = randomStream('invoices');
  const invoices: Invoice[] = [];
  for (let day = t.historyStart; day < t.end; day++) {
    if (!isWorkingDay(day)) continue;
    const onTime = onTimeChance(t, day);
    for (let n = rnd.poisson(16); n > 0; n--) {
      const paidAfter = rnd.chance(onTime) ? rnd.int(2, PAYMENT_TERMS_DAYS) : rnd.int(PAYMENT_TERMS_DAYS + 1, 58);
      invoices.push({
        invoiceNumber: `INV${String(invoices.length + 1).padStart(7, '0')}`,
        supplier: rnd.pick(SUPPLIERS),
        costCentre: rnd.pick(INVOICED_COST_CENTRES),
        amountPence: Math.max(500, Math.round(65_000 * Math.exp(1.1 * rnd.normal()))),
        received: day,
        paid: day + paidAfter <= t.extractDay ? day + paidAfter : null,
        createdAt: timestampOf(rnd.chance(0.7) ? day : addWorkingDays(day, 1), rnd.int(8 * 60, 17 * 60 + 30)),
      });
    }
  }
  return plantProblems(t, invoices);
}

function plantProblems(t: DemoTimeline, invoices: Invoice[]): InvoicesModel {
  const receivedIn = (month: string) => invoices.filter((i) => monthOf(i.received) === month);

  const nullSupplier = receivedIn(t.month('2025-07')).filter((_, i) => i % 40 === 39).slice(0, 8);
  for (const invoice of nullSupplier) invoice.supplier = null;

  // Keyed in over three working days (as written: 12-14 May 2025) and each paid within a week:
  // planted only once all that has happened.
  const keyedIn = addWorkingDays(t.day('2025-05-12') - 1, 1);
  const late = addWorkingDays(keyedIn, 2) + 6 <= t.extractDay ? receivedIn(t.month('2025-02')).filter((_, i) => i % 25 === 24).slice(0, 12) : [];
  late.forEach((invoice, i) => {
    const keyed = addWorkingDays(keyedIn, i % 3);
    invoice.createdAt = timestampOf(keyed, 10 * 60 + i * 7);
    invoice.paid = keyed + 3 + (i % 4);
  });

  const duplicated = new Set(receivedIn(t.month('2024-08')).filter((i) => i.paid !== null).filter((_, i) => i % 100 === 99).slice(0, 3));
  const withDuplicates = invoices.flatMap((invoice) => {
    if (!duplicated.has(invoice)) return [invoice];
    const rekeyed = dayOf(invoice.createdAt.slice(0, 10)) + 3;
    return [invoice, { ...invoice, createdAt: timestampOf(rekeyed, 14 * 60), paid: (invoice.paid as Day) + 2 }];
  });

  return {
    invoices: withDuplicates,
    planted: {
      duplicateInvoiceNumbers: [...duplicated].map((i) => i.invoiceNumber),
      nullSupplierInvoiceNumbers: nullSupplier.map((i) => i.invoiceNumber),
      lateInvoiceNumbers: late.map((i) => i.invoiceNumber),
    },
  };
}

export function invoiceRow(invoice: Invoice): Row {
  return {
    invoice_number: invoice.invoiceNumber,
    supplier_name: invoice.supplier,
    cost_centre_code: invoice.costCentre,
    amount: pounds(invoice.amountPence),
    received_date: dateOf(invoice.received),
    due_date: dateOf(invoice.received + PAYMENT_TERMS_DAYS),
    paid_date: invoice.paid === null ? null : dateOf(invoice.paid),
    created_at: invoice.createdAt,
  };
}
