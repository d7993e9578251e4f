/** The part of a better-sqlite3 connection used here (the driver ships no types in this project). */
export interface SqliteFunctions {
  function(name: string, options: { deterministic: boolean }, fn: (pattern: unknown, value: unknown) => number | null): unknown;
}

/**
 * SQLite parses `value REGEXP pattern` but leaves the matching to a `regexp(pattern, value)`
 * function of the application's. This one uses JavaScript regular expressions and, like
 * PostgreSQL's `~` and MySQL's REGEXP, matches anywhere in the value unless the pattern anchors.
 * Register it on every connection (the pool's afterCreate).
 */
export function registerSqliteRegexp(db: SqliteFunctions): void {
  // Patterns come from pipeline files, so there are few; compiling once per row would dominate.
  const compiled = new Map<string, RegExp>();
  db.function('regexp', { deterministic: true }, (pattern, value) => {
    if (pattern === null || value === null) return null;
    const source = String(pattern);
    let regex = compiled.get(source);
    if (!regex) compiled.set(source, (regex = new RegExp(source)));
    return regex.test(String(value)) ? 1 : 0;
  });
}
