import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import knexFactory, { type Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StoreSettings } from '../src/config/schema.js';
import { StoreFault } from '../src/runs/record.js';
import { migrationSource } from '../src/store/migrations.js';
import { thisRelease } from '../src/release.js';
import { releaseBefore, Store } from '../src/store/store.js';
import { buildCli } from './helpers/build.js';
import { lineofsight } from './helpers/cli.js';
import { freshPostgres, knexFor } from './helpers/databases.js';
import { workspace } from './helpers/workspace.js';

const RELEASE = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const MIGRATIONS = await migrationSource.getMigrations([]);
const NAMES = MIGRATIONS.map((m) => migrationSource.getMigrationName(m));

type Client = 'sqlite' | 'pg';

/** A new, empty store of the kind, and a plain knex on it to look with. */
async function freshStore(client: Client, name: string): Promise<{ settings: StoreSettings; look: () => Knex }> {
  if (client === 'sqlite') {
    const filename = workspace({}).file(`${name}.sqlite`);
    return { settings: { client: 'sqlite', filename }, look: () => knexFactory({ client: 'better-sqlite3', connection: { filename }, useNullAsDefault: true }) };
  }
  const url = await freshPostgres(`lineofsight_test_versions_${name}`);
  return { settings: { client: 'pg', connection: url }, look: () => knexFor('pg', url) };
}

async function withKnex<T>(look: () => Knex, work: (db: Knex) => Promise<T>): Promise<T> {
  const db = look();
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

async function withStore<T>(settings: StoreSettings, work: (store: Store) => Promise<T>): Promise<T> {
  const store = new Store(settings);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

type Version = { migration: string; release: string; applied_at: unknown };
const versions = (db: Knex) => db('schema_versions').select('migration', 'release', 'applied_at').orderBy('migration') as Promise<Version[]>;

/** Everything migrating could change: the tables, knex's own rows and the versions. */
async function snapshot(client: Client, db: Knex): Promise<unknown> {
  const tables = client === 'sqlite'
    ? ((await db.raw("SELECT name FROM sqlite_master WHERE type IN ('table', 'view', 'index') ORDER BY name")) as { name: string }[]).map((r) => r.name)
    : ((await db.raw("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")).rows as { name: string }[]).map((r) => r.name);
  const rows = async (table: string, order: string) => (tables.includes(table) ? await db(table).select('*').orderBy(order) : 'absent');
  return { tables, migrations: await rows('knex_migrations', 'id'), lock: await rows('knex_migrations_lock', 'index'), versions: await rows('schema_versions', 'migration') };
}

/** What a newer release's migration would leave: its table, knex's row, and its version. */
async function migrateAsNewer(db: Knex, migration: string, release: string | undefined): Promise<void> {
  await db.schema.createTable(`table_of_${migration}`, (t) => t.increments('id'));
  const batch = ((await db('knex_migrations').max({ b: 'batch' }).first()) as { b: number }).b + 1;
  await db('knex_migrations').insert({ name: migration, batch, migration_time: new Date() });
  if (release) await db('schema_versions').insert({ migration, release, applied_at: new Date() });
}

beforeAll(() => buildCli(), 120_000);

it('reads this release from the package.json at the root, from src/ and from the build', async () => {
  expect(thisRelease()).toBe(RELEASE);
  const built = (await import(pathToFileURL(path.resolve('dist/release.js')).href)) as { thisRelease(): string };
  expect(built.thisRelease()).toBe(RELEASE);
});

describe.each(['sqlite', 'pg'] as const)('the schema versions of a %s store', (client) => {
  it('records every migration applied with this release, once', async () => {
    const { settings, look } = await freshStore(client, 'recorded');
    const applied = await withStore(settings, (s) => s.migrate());
    expect(applied).toEqual(NAMES);
    const first = await withKnex(look, versions);
    expect(first.map((v) => [v.migration, v.release])).toEqual(NAMES.map((n) => [n, RELEASE]).sort());
    expect(first.every((v) => v.applied_at !== null)).toBe(true);
    // Migrating again applies nothing and leaves the rows as they were.
    expect(await withStore(settings, (s) => s.migrate())).toEqual([]);
    expect(await withKnex(look, versions)).toEqual(first);
  });

  it('backfills the migrations applied before schema_versions existed, as "before" this release, at the time knex applied them', async () => {
    const { settings, look } = await freshStore(client, 'old');
    const older = MIGRATIONS.slice(0, NAMES.indexOf('010_scheduler'));
    expect(older.length).toBeGreaterThan(0);
    await withKnex(look, (db) => db.migrate.latest({ migrationSource: { ...migrationSource, getMigrations: async () => older } }));
    expect(await withStore(settings, (s) => s.migrate())).toEqual(NAMES.slice(older.length));
    await withKnex(look, async (db) => {
      const rows = await versions(db);
      const before = releaseBefore(RELEASE);
      expect(before).toBe(`before ${RELEASE}`);
      expect(rows.map((v) => [v.migration, v.release])).toEqual(NAMES.map((n, i) => [n, i < older.length ? before : RELEASE]).sort());
      const [same] = (await db('schema_versions as sv').join('knex_migrations as km', 'km.name', 'sv.migration').whereRaw('sv.applied_at = km.migration_time').where('sv.release', before).count({ n: '*' })) as { n: number | string }[];
      expect(Number(same!.n)).toBe(older.length);
    });
  });

  it.each([
    ['names the release that applied it', [['011_reports', '0.2.0']], `011_reports, which this release (${RELEASE}) does not know: it was migrated by lineofsight 0.2.0; run that release or later`],
    ['names the newest of several and its release', [['011_reports', '0.2.0'], ['012_audit', '0.3.0']], `012_audit (and 1 more), which this release (${RELEASE}) does not know: it was migrated by lineofsight 0.3.0; run that release or later`],
    ['says a newer release when none is recorded', [['011_reports', undefined]], `011_reports, which this release (${RELEASE}) does not know: it was migrated by a newer release of lineofsight; run that release or later`],
  ] as const)('refuses a store a newer release migrated, before changing anything: %s', async (_what, newer, said) => {
    const { settings, look } = await freshStore(client, 'newer');
    await withStore(settings, (s) => s.migrate());
    const before = await withKnex(look, async (db) => {
      for (const [migration, release] of newer) await migrateAsNewer(db, migration, release);
      // Not even knex's lock table is made again: the refusal comes before anything is written.
      await db.schema.dropTable('knex_migrations_lock');
      return snapshot(client, db);
    });
    const refusal = await withStore(settings, (s) => s.migrate().then(() => undefined, (err: unknown) => ({ err, name: s.name })));
    expect(refusal?.err).toBeInstanceOf(StoreFault);
    expect((refusal?.err as Error).message).toBe(`store (${refusal!.name}) has schema ${said}`);
    expect(await withKnex(look, (db) => snapshot(client, db))).toEqual(before);
  });

  it('is migrated once by several processes starting on a new store at once, each version recorded once', async () => {
    const { settings, look } = await freshStore(client, 'race');
    const worker = path.join(workspace({}).dir, 'migrate.mjs');
    writeFileSync(
      worker,
      `const { Store } = await import(${JSON.stringify(pathToFileURL(path.resolve('dist/store/store.js')).href)});
const { thisRelease } = await import(${JSON.stringify(pathToFileURL(path.resolve('dist/release.js')).href)});
const [settings, startAt] = process.argv.slice(2);
const store = new Store(JSON.parse(settings));
try {
  while (Date.now() < Number(startAt)) await new Promise((resolve) => setTimeout(resolve, 1));
  process.stdout.write(JSON.stringify({ applied: await store.migrate(), release: thisRelease() }));
} catch (err) {
  process.stdout.write(JSON.stringify({ error: err.message }));
  process.exitCode = 1;
} finally {
  await store.close();
}
`,
    );
    const startAt = Date.now() + 1500;
    const run = () =>
      new Promise<{ status: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [worker, JSON.stringify(settings), String(startAt)]);
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (status) => resolve({ status, out }));
      });
    const results = await Promise.all([1, 2, 3, 4].map(run));
    for (const r of results) expect(r.status, r.out).toBe(0);
    const said = results.map((r) => JSON.parse(r.out) as { applied: string[]; release: string });
    expect(said.every((s) => s.release === RELEASE)).toBe(true);
    // Between them every migration was applied exactly once.
    expect(said.flatMap((s) => s.applied).sort()).toEqual([...NAMES].sort());
    await withKnex(look, async (db) => {
      expect((await versions(db)).map((v) => [v.migration, v.release])).toEqual(NAMES.map((n) => [n, RELEASE]).sort());
      expect(Number(((await db('knex_migrations').count({ n: '*' }).first()) as { n: number | string }).n)).toBe(NAMES.length);
    });
  }, 60_000);
});

describe('several Store instances in one process migrating a new PostgreSQL store at once', () => {
  it('all succeed, each migration applied and recorded once', async () => {
    const { settings, look } = await freshStore('pg', 'parallel');
    const stores = [1, 2, 3, 4, 5].map(() => new Store(settings));
    try {
      const applied = await Promise.all(stores.map((s) => s.migrate()));
      expect(applied.flat().sort()).toEqual([...NAMES].sort());
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
    await withKnex(look, async (db) => expect((await versions(db)).map((v) => [v.migration, v.release])).toEqual(NAMES.map((n) => [n, RELEASE]).sort()));
  });
});

describe('the CLI on a store a newer release migrated', () => {
  it('exits 1 with the refusal, naming the store, the migration and the release', async () => {
    const ws = workspace({ 'lineofsight.yaml': 'pipelines_dir: ./pipelines\nstore: { client: sqlite, filename: ./store.sqlite }\n', 'pipelines/.keep': '' });
    expect(lineofsight(['migrate', '--config', ws.config], { cwd: ws.dir }).status).toBe(0);
    const db = knexFactory({ client: 'better-sqlite3', connection: { filename: ws.file('store.sqlite') }, useNullAsDefault: true });
    try {
      await migrateAsNewer(db, '011_reports', '0.2.0');
    } finally {
      await db.destroy();
    }
    // serve too: no wait mends a newer schema, so it exits rather than retrying as for a store that is down.
    for (const command of [['migrate'], ['checks'], ['serve', '--port', '0']]) {
      const r = lineofsight([...command, '--config', ws.config], { cwd: ws.dir });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toContain(`store (SQLite ./store.sqlite) has schema 011_reports, which this release (${RELEASE}) does not know: it was migrated by lineofsight 0.2.0; run that release or later`);
    }
  });
});
