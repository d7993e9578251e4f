import { describe, expect, it } from 'vitest';
import { nextSendable, type SendingHours } from '../src/calendar/sendingHours.js';
import { serviceConfigSchema } from '../src/config/schema.js';

const LONDON = 'Europe/London';
/** Monday 4 May 2026, the early May bank holiday. */
const HOLIDAYS = ['2026-05-04'];

/** The defaults as config gives them: weekdays, 08:00 to 18:00, quiet on bank holidays. */
const WORKING: SendingHours = serviceConfigSchema.parse({ email: { sending_hours: {} } }).email.sending_hours!;
const EVERY_DAY: SendingHours = { ...WORKING, days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] };

interface Case {
  name: string;
  at: string;
  hours?: SendingHours;
  expected: string;
}

const CASES: Case[] = [
  // Summer: BST, an hour ahead of UTC.
  { name: 'inside the hours: at once', at: '2026-07-01T11:00:00Z', expected: '2026-07-01T11:00:00Z' },
  { name: 'at from itself: at once', at: '2026-07-01T07:00:00Z', expected: '2026-07-01T07:00:00Z' },
  { name: 'a second before to: at once', at: '2026-07-01T16:59:59Z', expected: '2026-07-01T16:59:59Z' },
  { name: 'before from: from the same day', at: '2026-07-01T05:30:00Z', expected: '2026-07-01T07:00:00Z' },
  { name: 'at to: the next day’s from', at: '2026-07-01T17:00:00Z', expected: '2026-07-02T07:00:00Z' },
  { name: 'after to: the next day’s from', at: '2026-07-01T21:00:00Z', expected: '2026-07-02T07:00:00Z' },
  { name: 'after midnight local, before midnight UTC: that day’s from', at: '2026-07-01T23:30:00Z', expected: '2026-07-02T07:00:00Z' },
  { name: 'Friday evening: Monday 08:00', at: '2026-07-03T18:00:00Z', expected: '2026-07-06T07:00:00Z' },
  { name: 'Saturday noon: Monday 08:00', at: '2026-07-04T11:00:00Z', expected: '2026-07-06T07:00:00Z' },
  // The bank holiday Monday is quiet all day.
  { name: 'Friday evening before a bank holiday: Tuesday 08:00', at: '2026-05-01T18:00:00Z', expected: '2026-05-05T07:00:00Z' },
  { name: 'noon on the bank holiday: Tuesday 08:00', at: '2026-05-04T11:00:00Z', expected: '2026-05-05T07:00:00Z' },
  { name: 'bank_holidays: true, noon on the bank holiday: at once', at: '2026-05-04T11:00:00Z', hours: { ...WORKING, bank_holidays: true }, expected: '2026-05-04T11:00:00Z' },
  { name: 'bank_holidays: true, Friday evening: the bank holiday’s 08:00', at: '2026-05-01T18:00:00Z', hours: { ...WORKING, bank_holidays: true }, expected: '2026-05-04T07:00:00Z' },
  // Spring: the clocks go forward at 01:00 UTC on Sunday 29 March 2026.
  { name: 'Saturday night before BST starts: Monday 08:00 BST', at: '2026-03-28T22:00:00Z', expected: '2026-03-30T07:00:00Z' },
  { name: 'Friday evening before BST starts (GMT): Monday 08:00 BST', at: '2026-03-27T18:30:00Z', expected: '2026-03-30T07:00:00Z' },
  { name: 'every day, Saturday evening before BST starts: Sunday 08:00 BST', at: '2026-03-28T19:00:00Z', hours: EVERY_DAY, expected: '2026-03-29T07:00:00Z' },
  // Autumn: the clocks go back at 01:00 UTC on Sunday 25 October 2026.
  { name: 'Saturday night before BST ends: Monday 08:00 GMT', at: '2026-10-24T22:00:00Z', expected: '2026-10-26T08:00:00Z' },
  { name: 'Friday evening before BST ends (BST): Monday 08:00 GMT', at: '2026-10-23T17:30:00Z', expected: '2026-10-26T08:00:00Z' },
  { name: 'every day, Saturday evening before BST ends: Sunday 08:00 GMT', at: '2026-10-24T19:00:00Z', hours: EVERY_DAY, expected: '2026-10-25T08:00:00Z' },
  // Hours 00:00 to 01:30 on the spring day, whose 01:00 to 02:00 the clocks skip.
  ...(() => {
    const night: SendingHours = { ...EVERY_DAY, from: '00:00', to: '01:30' };
    return [
      { name: 'night hours, Saturday evening before BST starts: midnight GMT', at: '2026-03-28T20:00:00Z', hours: night, expected: '2026-03-29T00:00:00Z' },
      { name: 'night hours, 00:59 GMT on the spring day: at once', at: '2026-03-29T00:59:00Z', hours: night, expected: '2026-03-29T00:59:00Z' },
      // 02:00 BST by the clock: past 01:30, though only an hour after midnight.
      { name: 'night hours, as the clocks go forward: the next midnight, BST', at: '2026-03-29T01:00:00Z', hours: night, expected: '2026-03-29T23:00:00Z' },
      { name: 'night hours, 02:15 BST: the next midnight, BST', at: '2026-03-29T01:15:00Z', hours: night, expected: '2026-03-29T23:00:00Z' },
    ];
  })(),
  // Hours that open at a time the clocks skip open as the clocks go forward past it.
  { name: 'from 01:30 on the spring day: 02:00 BST, as the clocks go forward', at: '2026-03-28T20:00:00Z', hours: { ...EVERY_DAY, from: '01:30', to: '06:00' }, expected: '2026-03-29T01:00:00Z' },
  { name: 'from 01:30 on the spring day, at 02:10 BST: at once', at: '2026-03-29T01:10:00Z', hours: { ...EVERY_DAY, from: '01:30', to: '06:00' }, expected: '2026-03-29T01:10:00Z' },
  // A time the clocks show twice opens at its first showing, and the second counts too.
  { name: 'from 01:30 on the autumn day: 01:30 BST, its first showing', at: '2026-10-24T20:00:00Z', hours: { ...EVERY_DAY, from: '01:30', to: '06:00' }, expected: '2026-10-25T00:30:00Z' },
  { name: 'from 01:30 on the autumn day, at 01:10 GMT (the clocks gone back): 01:30 GMT', at: '2026-10-25T01:10:00Z', hours: { ...EVERY_DAY, from: '01:30', to: '06:00' }, expected: '2026-10-25T01:30:00Z' },
  { name: 'to 01:30 on the autumn day, at 01:10 GMT (the clocks gone back): at once', at: '2026-10-25T01:10:00Z', hours: { ...EVERY_DAY, from: '00:00', to: '01:30' }, expected: '2026-10-25T01:10:00Z' },
  // Days of the week as configured.
  { name: 'weekends only, Monday noon: Saturday 08:00', at: '2026-07-06T11:00:00Z', hours: { ...WORKING, days: ['sat', 'sun'] }, expected: '2026-07-11T07:00:00Z' },
  { name: 'weekends only, Saturday noon: at once', at: '2026-07-11T11:00:00Z', hours: { ...WORKING, days: ['sat', 'sun'] }, expected: '2026-07-11T11:00:00Z' },
];

describe('nextSendable in Europe/London', () => {
  it.each(CASES)('$name', ({ at, hours = WORKING, expected }) => {
    const next = nextSendable(new Date(at), hours, LONDON, HOLIDAYS);
    expect(next.toISOString()).toBe(new Date(expected).toISOString());
    // What it gives is itself sendable: asking again moves it no further.
    expect(nextSendable(next, hours, LONDON, HOLIDAYS).toISOString()).toBe(next.toISOString());
  });

  it.each(['2026-07-04T03:00:00Z', '2026-03-29T01:30:00Z', '2026-05-04T11:00:00Z'])('with no hours configured, %s goes at once', (at) => {
    expect(nextSendable(new Date(at), undefined, LONDON, HOLIDAYS).toISOString()).toBe(new Date(at).toISOString());
  });

  it('reads the hours in the timezone given', () => {
    // 08:00 in New York is 12:00 UTC in summer (EDT).
    expect(nextSendable(new Date('2026-07-01T11:00:00Z'), WORKING, 'America/New_York', []).toISOString()).toBe('2026-07-01T12:00:00.000Z');
  });
});
