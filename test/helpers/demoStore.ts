import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Where the demo writes its store, databases, exports and emails: a folder of the test's own, not the repository's. */
export function demoEnv(dir: string) {
  return {
    LINEOFSIGHT_STORE_FILE: path.join(dir, 'store.sqlite'),
    LINEOFSIGHT_FINANCE_DB: path.join(dir, 'demo', 'finance.sqlite'),
    LINEOFSIGHT_SERVICES_DB: path.join(dir, 'demo', 'services.sqlite'),
    LINEOFSIGHT_DEMO_EXPORTS: path.join(dir, 'demo', 'exports'),
    LINEOFSIGHT_OUTBOX_DIR: path.join(dir, 'outbox'),
  };
}

/**
 * The demo's own config with its store moved to PostgreSQL (as the README says to do) and its
 * demo databases and exports in a folder of the test's own; run from the repository, so the
 * demo's pipelines, targets and risk register are the real ones.
 */
export function demoOnPostgres(storeUrl: string): { dir: string; env: NodeJS.ProcessEnv } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'los-demo-pg-'));
  const text = readFileSync('config/lineofsight.yaml', 'utf8');
  const store = /^store:\n(?:  .*\n)+/m;
  if (!store.test(text)) throw new Error('config/lineofsight.yaml has no store: section to move');
  const config = path.join(dir, 'lineofsight.yaml');
  writeFileSync(config, text.replace(store, 'store:\n  client: pg\n  connection: ${LINEOFSIGHT_STORE_URL}\n'));
  return {
    dir,
    env: {
      LINEOFSIGHT_CONFIG: config,
      ...demoEnv(dir),
      LINEOFSIGHT_STORE_FILE: undefined,
      LINEOFSIGHT_STORE_URL: storeUrl,
      LINEOFSIGHT_LOG_LEVEL: 'warn',
    },
  };
}
