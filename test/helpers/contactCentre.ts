import Database from 'better-sqlite3';

/**
 * The contact centre pipeline the exception and delivery tests run: a monthly share of calls
 * answered (target 80%, tolerance 5 points) read from a SQLite table `monthly (day, answered,
 * offered)`, one row per month on its last day, so a month with no row is awaited.
 */
export function contactCentrePipeline(o: { title: string; owner: string; checks?: string; clinic?: string }): string {
  return `
id: calls
title: Calls answered
source: db
schedule: "0 6 * * *"
frequency: monthly
query: SELECT SUM(answered) AS answered, SUM(offered) AS offered FROM monthly WHERE day >= :period_start AND day < :period_end
arrival: { newest: "SELECT MAX(day) FROM monthly" }
indicators:
  - id: CS1
    title: '${o.title.replaceAll("'", "''")}'
    unit: "%"
    type: percentage
    numerator: answered
    denominator: offered
    decimals: 1
    polarity: higher_is_better
    owner: ${o.owner}
    service: Contact centre
${o.clinic ? `    clinic: ${o.clinic}\n` : ''}    targets: [{ from: 2024-04, value: 80, signed_off_by: Cabinet, signed_off_on: 2024-03-01, rationale: Agreed }]
    tolerance: { absolute: 5, reason: Agreed }
    suspect_values: false
${o.checks ? `checks:\n${o.checks}\n` : ''}`;
}

/**
 * The pipeline's SQLite database at `file`, with April to June 2024 in (85%, 78%, 70%: GREEN,
 * AMBER, RED against 80 with 5 points' tolerance); `share` sets a month's share, `sql` adds tables.
 */
export function contactCentreCalls(file: string, sql = ''): { db: Database.Database; share(day: string, percent: number): void } {
  const db = new Database(file);
  db.exec(`CREATE TABLE monthly (day TEXT, answered REAL, offered REAL); ${sql}`);
  const share = (day: string, percent: number) => {
    db.prepare('DELETE FROM monthly WHERE day = ?').run(day);
    db.prepare('INSERT INTO monthly VALUES (?, ?, 1000)').run(day, percent * 10);
  };
  share('2024-04-30', 85);
  share('2024-05-31', 78);
  share('2024-06-30', 70);
  return { db, share };
}
