import type { Knex } from 'knex';

interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Migrations live in code, not in a folder knex scans, so the same list serves the compiled
 * service and the tests, and a migration can never be missing from a deployment. Append only.
 */
const MIGRATIONS: Migration[] = [
  {
    name: '001_runs_and_indicator_values',
    async up(knex) {
      await knex.schema.createTable('runs', (t) => {
        t.increments('id').primary();
        t.string('pipeline_id', 100).notNullable();
        t.string('period_id', 20).notNullable();
        t.date('period_start').notNullable();
        t.date('period_end').notNullable();
        t.timestamp('started_at', { useTz: true }).notNullable();
        t.timestamp('finished_at', { useTz: true }).notNullable();
        t.string('outcome', 20).notNullable();
        t.text('error');
        t.integer('rows_read').notNullable().defaultTo(0);
        t.integer('rows_rejected').notNullable().defaultTo(0);
        t.index(['pipeline_id', 'period_id']);
        t.index(['started_at']);
      });
      await knex.schema.createTable('indicator_values', (t) => {
        t.increments('id').primary();
        t.string('indicator_id', 100).notNullable();
        t.string('pipeline_id', 100).notNullable();
        t.string('period_id', 20).notNullable();
        t.date('period_start').notNullable();
        t.date('period_end').notNullable();
        t.integer('revision').notNullable();
        t.double('value');
        t.double('numerator');
        t.double('denominator');
        t.text('reason');
        t.integer('run_id').notNullable().references('id').inTable('runs');
        t.timestamp('recorded_at', { useTz: true }).notNullable();
        // NULL while this revision is the current value; set when a later run changes it.
        t.timestamp('superseded_at', { useTz: true });
        t.unique(['indicator_id', 'period_id', 'revision']);
        t.index(['indicator_id', 'period_start']);
      });
    },
    async down(knex) {
      await knex.schema.dropTable('indicator_values');
      await knex.schema.dropTable('runs');
    },
  },
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => MIGRATIONS,
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m,
};
