import pg from 'pg';

/**
 * pg's type parsers for one pool, not the process: a DATE is a calendar date and a timestamp
 * without time zone a wall-clock time, both read as text to be placed in the service's timezone,
 * not Node's. Every other type parses as pg's defaults.
 */
export const textDates = {
  getTypeParser(oid: number, format?: string) {
    if (oid === pg.types.builtins.DATE || oid === pg.types.builtins.TIMESTAMP) return (text: string) => text;
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
};
