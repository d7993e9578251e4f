import type { Knex } from 'knex';
import type { DemoTimeline } from './council.js';
import { councilTaxRows } from './councilTax.js';
import { foiRows } from './foi.js';
import { applicationRow, planningModel } from './planning.js';
import { repairRow, repairsModel } from './repairs.js';
import { numbered, writeTables, type DemoTable } from './tables.js';
import { wasteTables } from './waste.js';

export function servicesTables(t: DemoTimeline): DemoTable[] {
  const waste = wasteTables(t);
  return [
    {
      name: 'repairs',
      define: (t) => {
        t.integer('id').primary();
        t.string('job_ref', 12).notNullable();
        t.string('property_ref', 12).notNullable();
        t.date('reported_date').notNullable().index();
        t.string('priority', 12).nullable();
        t.date('target_date').nullable();
        t.date('completed_date').nullable();
        t.decimal('cost', 10, 2).nullable();
        t.string('cost_centre_code', 8).notNullable();
        t.string('trade', 20).notNullable();
        t.datetime('created_at', { useTz: false }).notNullable();
        // Covers the portable median in housing-repairs.yaml, which counts costs within a month once per job.
        t.index(['completed_date', 'cost']);
      },
      rows: numbered(repairsModel(t).jobs.map(repairRow)),
    },
    {
      name: 'planning_applications',
      define: (t) => {
        t.integer('id').primary();
        t.string('application_ref', 16).notNullable();
        t.string('category', 8).notNullable();
        t.date('received_date').notNullable().index();
        t.date('statutory_deadline').notNullable();
        t.date('extension_date').nullable();
        t.date('decided_date').nullable().index();
        t.string('decision', 10).nullable();
        t.datetime('created_at', { useTz: false }).notNullable();
      },
      rows: numbered(planningModel(t).applications.map(applicationRow)),
    },
    {
      name: 'council_tax_collection',
      define: (t) => {
        t.integer('id').primary();
        t.string('financial_year', 7).notNullable();
        t.date('month_start').notNullable().index();
        t.string('band', 1).notNullable();
        t.integer('dwellings').notNullable();
        t.decimal('amount_due', 14, 2).notNullable();
        t.decimal('amount_collected', 14, 2).nullable();
      },
      rows: numbered(councilTaxRows(t)),
    },
    {
      name: 'waste_collections_scheduled',
      define: (t) => {
        t.integer('id').primary();
        t.date('month_start').notNullable().index();
        t.string('round_code', 4).notNullable();
        t.string('service', 10).notNullable();
        t.integer('collections_scheduled').notNullable();
      },
      rows: numbered(waste.scheduled),
    },
    {
      name: 'missed_collections',
      define: (t) => {
        t.integer('id').primary();
        t.string('reference', 10).notNullable();
        t.date('reported_date').notNullable().index();
        t.string('round_code', 4).notNullable();
        t.string('service', 10).notNullable();
        t.string('uprn', 12).notNullable();
        t.date('put_right_by').notNullable();
        t.date('put_right_date').nullable();
      },
      rows: numbered(waste.missed),
    },
    {
      name: 'foi_requests',
      define: (t) => {
        t.integer('id').primary();
        t.string('reference', 16).notNullable();
        t.date('received_date').notNullable().index();
        t.date('due_date').notNullable().index();
        t.date('responded_date').nullable();
        t.string('department', 30).nullable();
        t.string('outcome', 40).nullable();
        t.datetime('created_at', { useTz: false }).notNullable();
      },
      rows: numbered(foiRows(t).rows),
    },
  ];
}

/** Replaces the demo service tables in `db`: repairs, planning, council tax, waste and FOI. */
export async function generateServices(db: Knex, t: DemoTimeline): Promise<void> {
  await writeTables(db, servicesTables(t));
}
