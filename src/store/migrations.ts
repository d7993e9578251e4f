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
  {
    name: '002_data_quality',
    async up(knex) {
      await knex.schema.alterTable('indicator_values', (t) => {
        // passed | warned | failed: the worst check result of the value's pipeline and period.
        t.string('data_quality', 10).notNullable().defaultTo('passed');
      });
      // Every check's result in every run, passed or not: pipeline health and the audit trail.
      await knex.schema.createTable('check_results', (t) => {
        t.increments('id').primary();
        t.integer('run_id').notNullable().references('id').inTable('runs');
        t.string('check_id', 100).notNullable();
        t.string('check_type', 40).notNullable();
        t.string('status', 10).notNullable();
        t.string('severity', 10).notNullable();
        t.integer('failing_count');
        t.integer('checked_count');
        t.double('failing_share');
        t.text('message').notNullable();
        t.index(['run_id']);
        t.index(['check_id']);
      });
      // The failed-check log: one entry per check and period, worked through by data-quality leads.
      await knex.schema.createTable('check_log', (t) => {
        t.increments('id').primary();
        t.string('check_id', 100).notNullable();
        t.string('check_type', 40).notNullable();
        t.string('pipeline_id', 100).notNullable();
        t.string('source', 100).notNullable();
        t.string('period_id', 20).notNullable();
        t.date('period_start').notNullable();
        t.string('severity', 10).notNullable();
        t.string('status', 20).notNullable();
        t.timestamp('first_failed_at', { useTz: true }).notNullable();
        t.timestamp('last_failed_at', { useTz: true }).notNullable();
        t.timestamp('resolved_at', { useTz: true });
        t.integer('consecutive_failures').notNullable();
        t.integer('failing_count');
        t.double('failing_share');
        t.text('sample').notNullable();
        t.text('message').notNullable();
        t.text('ack_note');
        t.timestamp('acknowledged_at', { useTz: true });
        t.integer('acknowledged_failing_count');
        t.unique(['check_id', 'pipeline_id', 'period_id']);
        t.index(['status']);
      });
      // Every run that saw an entry, and what it saw.
      await knex.schema.createTable('check_log_runs', (t) => {
        t.integer('entry_id').notNullable().references('id').inTable('check_log');
        t.integer('run_id').notNullable().references('id').inTable('runs');
        t.string('status', 10).notNullable();
        t.integer('failing_count');
        t.timestamp('seen_at', { useTz: true }).notNullable();
        t.primary(['entry_id', 'run_id']);
      });
      // The contract for dashboards (Grafana's PostgreSQL data source): these columns keep their
      // names and meanings whatever the tables beneath become. Documented in README.md.
      await knex.raw(`CREATE VIEW failed_check_log AS
        SELECT id, check_id, check_type, pipeline_id, source, period_id, period_start, severity, status,
               first_failed_at, last_failed_at, resolved_at, consecutive_failures, failing_count,
               failing_share, message, sample, ack_note, acknowledged_at
        FROM check_log`);
    },
    async down(knex) {
      await knex.raw('DROP VIEW failed_check_log');
      await knex.schema.dropTable('check_log_runs');
      await knex.schema.dropTable('check_log');
      await knex.schema.dropTable('check_results');
      await knex.schema.alterTable('indicator_values', (t) => t.dropColumn('data_quality'));
    },
  },
  {
    name: '003_judgements_and_risks',
    async up(knex) {
      // The judgement of a value: kept on its current revision, re-judged when targets change.
      await knex.schema.alterTable('indicator_values', (t) => {
        t.double('target');
        t.double('tolerance_amount');
        t.string('rag', 12);
        t.text('rag_explanation');
        t.string('direction_previous', 12);
        t.string('direction_last_year', 12);
      });
      // Every change of a risk's assessed position, with the evidence that caused it.
      await knex.schema.createTable('risk_positions', (t) => {
        t.increments('id').primary();
        t.string('risk_id', 100).notNullable();
        t.timestamp('assessed_at', { useTz: true }).notNullable();
        t.string('likelihood', 20).notNullable();
        t.string('impact', 20).notNullable();
        t.double('score').notNullable();
        t.boolean('above_tolerance').notNullable();
        // true when a trigger moved the risk from its recorded position
        t.boolean('triggered').notNullable();
        t.text('evidence').notNullable();
        t.index(['risk_id', 'assessed_at']);
      });
    },
    async down(knex) {
      await knex.schema.dropTable('risk_positions');
      await knex.schema.alterTable('indicator_values', (t) => {
        for (const c of ['target', 'tolerance_amount', 'rag', 'rag_explanation', 'direction_previous', 'direction_last_year']) t.dropColumn(c);
      });
    },
  },
  {
    name: '004_run_warnings',
    async up(knex) {
      // What a run's source could not give (malformed rows left out, files not read), as a JSON list of sentences.
      await knex.schema.alterTable('runs', (t) => t.text('warnings'));
    },
    async down(knex) {
      await knex.schema.alterTable('runs', (t) => t.dropColumn('warnings'));
    },
  },
  {
    name: '005_run_arrival',
    async up(knex) {
      // An awaiting run's reason in words, and the newest record's date each run read: what
      // "data not received" reminders and the age of a feed's data are read from.
      await knex.schema.alterTable('runs', (t) => {
        t.text('reason');
        t.string('newest_record', 10);
      });
    },
    async down(knex) {
      await knex.schema.alterTable('runs', (t) => {
        t.dropColumn('reason');
        t.dropColumn('newest_record');
      });
    },
  },
  {
    name: '006_store_locks',
    async up(knex) {
      // One row per thing writers take turns at (a pipeline's period, a risk): see locks.ts.
      await knex.schema.createTable('store_locks', (t) => {
        t.text('name').primary();
        t.string('taken_at', 30).notNullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTable('store_locks');
    },
  },
  {
    name: '007_metrics_reads',
    async up(knex) {
      // Each check's result for its latest period, one row per check, kept by every run that
      // records checks: read at each change of state by /metrics, whose cost must not grow with
      // the history.
      await knex.schema.createTable('check_states', (t) => {
        t.string('check_id', 100).notNullable();
        t.string('pipeline_id', 100).notNullable();
        t.integer('run_id').notNullable();
        t.string('period_id', 20).notNullable();
        t.date('period_start').notNullable();
        t.string('status', 10).notNullable();
        t.string('severity', 10).notNullable();
        t.integer('failing_count');
        t.timestamp('recorded_at', { useTz: true }).notNullable();
        t.primary(['check_id', 'pipeline_id']);
      });
      // The latest period's latest result of each check, from the results the store holds.
      await knex.raw(`
        INSERT INTO check_states (check_id, pipeline_id, run_id, period_id, period_start, status, severity, failing_count, recorded_at)
        SELECT check_id, pipeline_id, run_id, period_id, period_start, status, severity, failing_count, finished_at FROM (
          SELECT c.check_id, r.pipeline_id, c.run_id, r.period_id, r.period_start, c.status, c.severity, c.failing_count, r.finished_at,
                 ROW_NUMBER() OVER (PARTITION BY c.check_id, r.pipeline_id ORDER BY r.period_start DESC, c.id DESC) AS n
          FROM check_results c JOIN runs r ON r.id = c.run_id
        ) latest WHERE n = 1`);
      // The change mark's newest acknowledgement, off an index rather than the whole log.
      await knex.schema.alterTable('check_log', (t) => t.index(['acknowledged_at'], 'check_log_acknowledged_at_index'));
      // The latest period's values, every indicator at once (the scorecard as at a month).
      await knex.schema.alterTable('indicator_values', (t) => t.index(['period_id'], 'indicator_values_period_id_index'));
    },
    async down(knex) {
      await knex.schema.alterTable('check_log', (t) => t.dropIndex(['acknowledged_at'], 'check_log_acknowledged_at_index'));
      await knex.schema.alterTable('indicator_values', (t) => t.dropIndex(['period_id'], 'indicator_values_period_id_index'));
      await knex.schema.dropTable('check_states');
    },
  },
  {
    name: '008_risk_matrix',
    async up(knex) {
      // The matrix risks were last assessed on, every cell with its bands, score and side of the
      // tolerance line: a dashboard draws the whole matrix, empty cells and the line too, from
      // the store alone. Kept by each assessment, with the register's risks.
      await knex.schema.createTable('risk_matrix_cells', (t) => {
        t.string('likelihood', 20).notNullable();
        t.text('likelihood_label').notNullable();
        // 0 for the most severe band of its axis, as the register lists them.
        t.integer('likelihood_rank').notNullable();
        t.string('impact', 20).notNullable();
        t.text('impact_label').notNullable();
        t.integer('impact_rank').notNullable();
        t.double('score').notNullable();
        t.boolean('above_tolerance').notNullable();
        t.timestamp('recorded_at', { useTz: true }).notNullable();
        t.primary(['likelihood', 'impact']);
      });
      // The register's risks as last assessed: a risk since taken out of the register keeps its
      // positions as history, but no longer stands on the matrix.
      await knex.schema.createTable('risk_register', (t) => {
        t.string('risk_id', 100).primary();
        t.text('title').notNullable();
        t.text('owner').notNullable();
        t.text('clinic').notNullable();
        t.timestamp('recorded_at', { useTz: true }).notNullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTable('risk_register');
      await knex.schema.dropTable('risk_matrix_cells');
    },
  },
  {
    name: '009_exceptions_and_outbox',
    async up(knex) {
      // Each exception from the cycle that raised it to the one that resolved it. open_key is its
      // key while it is open and NULL after, so one key is open at most once however many
      // processes raise it, and a problem that comes back opens anew.
      await knex.schema.createTable('exceptions', (t) => {
        t.increments('id').primary();
        t.text('key').notNullable();
        t.string('open_key', 300).unique();
        t.string('kind', 30).notNullable();
        t.string('severity', 10).notNullable();
        t.text('state').notNullable();
        t.text('title').notNullable();
        // The exception as last raised (facts, explanation, subject), as its messages show it.
        t.text('raised').notNullable();
        t.timestamp('opened_at', { useTz: true }).notNullable();
        t.timestamp('changed_at', { useTz: true }).notNullable();
        t.timestamp('updated_at', { useTz: true }).notNullable();
        t.timestamp('resolved_at', { useTz: true });
        t.timestamp('acknowledged_at', { useTz: true });
        t.text('ack_note');
        t.string('ack_until', 10);
        t.text('ack_state');
        t.index(['key']);
      });
      // The notification log: what each recipient was last told of each exception, and when.
      await knex.schema.createTable('notification_log', (t) => {
        t.integer('exception_id').notNullable().references('id').inTable('exceptions');
        t.string('recipient', 400).notNullable();
        t.text('name').notNullable();
        t.text('state').notNullable();
        t.timestamp('told_at', { useTz: true }).notNullable();
        t.integer('reminders').notNullable().defaultTo(0);
        t.primary(['exception_id', 'recipient']);
      });
      // Every message, written in the transaction that decided it, before any attempt to send:
      // who it is to, its subject and its state.
      await knex.schema.createTable('outbox', (t) => {
        t.increments('id').primary();
        t.string('message_id', 200).notNullable().unique();
        t.string('kind', 20).notNullable();
        t.text('from_address').notNullable();
        t.text('to_address').notNullable();
        t.text('to_name').notNullable();
        t.text('subject').notNullable();
        t.string('state', 10).notNullable();
        t.integer('attempts').notNullable().defaultTo(0);
        t.timestamp('next_attempt_at', { useTz: true }).notNullable();
        // What give_up_after counts from: when it was written, or last retried by hand.
        t.timestamp('attempts_since', { useTz: true }).notNullable();
        t.string('claimed_by', 64);
        t.timestamp('claimed_until', { useTz: true });
        t.text('last_error');
        t.timestamp('created_at', { useTz: true }).notNullable();
        t.timestamp('changed_at', { useTz: true }).notNullable();
        t.timestamp('sent_at', { useTz: true });
        t.index(['state', 'next_attempt_at']);
        t.index(['changed_at']);
      });
      // A message's two parts, written once: the outbox row above changes at every attempt, and
      // a change that rewrote kilobytes of HTML each time would cost what the sending does.
      await knex.schema.createTable('outbox_bodies', (t) => {
        t.integer('outbox_id').primary().references('id').inTable('outbox');
        t.text('html').notNullable();
        t.text('text').notNullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTable('outbox_bodies');
      await knex.schema.dropTable('outbox');
      await knex.schema.dropTable('notification_log');
      await knex.schema.dropTable('exceptions');
    },
  },
  {
    name: '010_scheduler',
    async up(knex) {
      // One row a job's slot (a pipeline's schedule firing, a backfill's period), unique on both:
      // however many replicas are asked about a slot, one inserts it and runs it. `slot` is the
      // slot's local wall-clock time, so the autumn hour that repeats is one slot, not two.
      await knex.schema.createTable('job_claims', (t) => {
        t.increments('id').primary();
        t.string('job', 200).notNullable();
        t.string('slot', 40).notNullable();
        t.timestamp('slot_at', { useTz: true }).notNullable();
        t.string('state', 12).notNullable();
        t.string('replica', 200).notNullable();
        t.integer('attempt').notNullable();
        // Attempts that ended with their replica dead: max_attempts counts these, not stops on purpose.
        t.integer('lapses').notNullable().defaultTo(0);
        t.timestamp('claimed_at', { useTz: true }).notNullable();
        // The running replica renews this; once it lapses any replica may take the slot over.
        t.timestamp('lease_until', { useTz: true }).notNullable();
        t.timestamp('finished_at', { useTz: true });
        t.text('detail');
        t.unique(['job', 'slot']);
        t.index(['state', 'lease_until']);
        t.index(['job', 'slot_at']);
      });
      // Every attempt at a slot: the one a dead replica left, the one that took it over.
      await knex.schema.createTable('job_attempts', (t) => {
        t.increments('id').primary();
        t.integer('claim_id').notNullable().references('id').inTable('job_claims');
        t.integer('attempt').notNullable();
        t.string('replica', 200).notNullable();
        t.timestamp('started_at', { useTz: true }).notNullable();
        t.timestamp('ended_at', { useTz: true });
        t.string('outcome', 12).notNullable();
        t.text('detail');
        t.unique(['claim_id', 'attempt']);
      });
      // The processes running a scheduler on this store, each seen at its every lease renewal.
      await knex.schema.createTable('replicas', (t) => {
        t.string('id', 200).primary();
        t.string('host', 200).notNullable();
        t.integer('pid').notNullable();
        t.timestamp('started_at', { useTz: true }).notNullable();
        t.timestamp('seen_at', { useTz: true }).notNullable();
        t.timestamp('stopped_at', { useTz: true });
      });
      // Which release of lineofsight applied each migration: a release that finds a migration it
      // does not know can say which release the store needs.
      await knex.schema.createTable('schema_versions', (t) => {
        t.string('migration', 200).primary();
        t.string('release', 40).notNullable();
        t.timestamp('applied_at', { useTz: true }).notNullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTable('schema_versions');
      await knex.schema.dropTable('replicas');
      await knex.schema.dropTable('job_attempts');
      await knex.schema.dropTable('job_claims');
    },
  },
  {
    name: '011_clinic_packs',
    async up(knex) {
      // Files a message carries (a clinic pack's CSV), written once with its two parts.
      await knex.schema.alterTable('outbox_bodies', (t) => {
        t.text('attachments');
      });
      // Every exception pack sent to an improvement clinic, with what it showed, so that the next
      // pack can say what changed. A scheduled pack is sent once per clinic and period: its key is
      // unique, and the insert that lands writes the pack's messages in the same transaction.
      await knex.schema.createTable('clinic_packs', (t) => {
        t.increments('id').primary();
        t.string('clinic', 200).notNullable();
        t.string('period', 20).notNullable();
        t.string('scheduled_key', 240).unique();
        t.timestamp('sent_at', { useTz: true }).notNullable();
        t.text('shown').notNullable();
        t.index(['clinic', 'sent_at']);
      });
    },
    async down(knex) {
      await knex.schema.dropTable('clinic_packs');
      await knex.schema.alterTable('outbox_bodies', (t) => {
        t.dropColumn('attachments');
      });
    },
  },
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => MIGRATIONS,
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m,
};

/**
 * knex creates its migration lock table and its one row outside any transaction, so processes
 * starting together on a new store can each insert a row, and then no migration can ever take
 * the lock ("Migration table is already locked"). The row is made here first, with a fixed
 * primary key, so there is exactly one however many race; a store left with two is repaired.
 */
export async function ensureMigrationLock(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable('knex_migrations_lock'))) {
    await knex.schema
      .createTable('knex_migrations_lock', (t) => {
        t.increments('index').primary();
        t.integer('is_locked');
      })
      .catch(async (err: unknown) => {
        // Another process made it first.
        if (!(await knex.schema.hasTable('knex_migrations_lock'))) throw err;
      });
  }
  await knex('knex_migrations_lock').insert({ index: 1, is_locked: 0 }).onConflict('index').ignore();
  await knex('knex_migrations_lock').whereNot('index', 1).delete();
}
