import type { Row, RowSchema } from '../../sources/csv/index.js';
import { shown } from './keys.js';

// FNV-1a over the key's cells, then a finaliser that spreads the low bits the slots are picked by.
const SEED = 0x811c9dc5 | 0;
const PRIME = 0x01000193;
const scratch = new Float64Array(1);
const scratchBits = new Int32Array(scratch.buffer);
const utf16 = new TextDecoder('utf-16le');

function grown<T extends Int32Array | Uint16Array | Float64Array>(array: T, atLeast: number): T {
  let length = array.length * 2;
  while (length < atLeast) length *= 2;
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}

/**
 * Rows per key of a unique check, over every month read. A Map keyed by strings would build a
 * string for each row, and keeping a million cell strings alive makes every garbage collection
 * copy them; this open-addressing table instead hashes a row's cells where they are and copies a
 * new key's values into typed arrays (text as UTF-16 code units, typed fields as numbers), so a
 * row allocates nothing. Equal hashes are confirmed by comparing the values: the check is exact.
 * Only a key seen again gets an object, counting its rows per month, so that the duplicates of
 * any period can be told after the pass.
 */
export class KeyTable {
  /** Pairs (hash, entry + 1), 0 for a free slot: a probe reads one place to skip another key. */
  private slots = new Int32Array(2 * 1024);
  private size = 0;
  private readonly textFields: number[];
  private readonly numFields: number[];
  /** Per entry: the month of its first row, its numbers, and where its text starts in `chars`. */
  private firstMonth = new Uint16Array(512);
  private nums: Float64Array;
  private starts = new Int32Array(512);
  /** Each text value as its length (two code units) and its code units. */
  private chars = new Uint16Array(16 * 1024);
  private used = 0;
  private readonly months: string[] = [];
  private lastMonth = '';
  private lastMonthCode = -1;
  /** Entry -> rows per month id, the first row included, for keys seen more than once. */
  private readonly repeated = new Map<number, Map<string, number>>();

  constructor(
    private readonly schema: RowSchema,
    private readonly indices: readonly number[],
  ) {
    this.textFields = indices.filter((i) => schema.fields[i]?.type === 'text');
    this.numFields = indices.filter((i) => schema.fields[i]?.type !== 'text');
    this.nums = new Float64Array(512 * this.numFields.length);
  }

  /** Counts a row; a row with an empty key cell is, as under a SQL UNIQUE constraint, nobody's duplicate. */
  add(row: Row, month: string): void {
    const { textFields, numFields } = this;
    let h = SEED;
    for (let k = 0; k < numFields.length; k++) {
      const v = row.num[numFields[k] as number] as number;
      if (Number.isNaN(v)) return;
      scratch[0] = v;
      h = Math.imul(h ^ (scratchBits[0] as number), PRIME);
      h = Math.imul(h ^ (scratchBits[1] as number), PRIME);
    }
    for (let k = 0; k < textFields.length; k++) {
      const t = row.text[textFields[k] as number] as string;
      if (t === '') return;
      for (let j = 0; j < t.length; j++) h = Math.imul(h ^ t.charCodeAt(j), PRIME);
      h = Math.imul(h ^ t.length, PRIME);
    }
    h ^= h >>> 16;
    h = Math.imul(h, 0x45d9f3b);
    h ^= h >>> 16;

    const slots = this.slots;
    const mask = (slots.length >> 1) - 1;
    let slot = h & mask;
    for (let e = slots[2 * slot + 1] as number; e !== 0; e = slots[2 * slot + 1] as number) {
      if (slots[2 * slot] === h && this.holds(e - 1, row)) return this.repeat(e - 1, month);
      slot = (slot + 1) & mask;
    }
    this.insert(slot, h, row, month);
  }

  /** Keys with more than one row in `months`, in the order they were first seen again, with their rows. */
  duplicates(months: readonly string[]): [entry: number, copies: number][] {
    const found: [number, number][] = [];
    for (const [entry, perMonth] of this.repeated) {
      let copies = 0;
      for (const m of months) copies += perMonth.get(m) ?? 0;
      if (copies > 1) found.push([entry, copies]);
    }
    return found;
  }

  /** The key values of an entry, in the order of the key columns. */
  valuesOf(entry: number): (string | number)[] {
    const numbers = this.numFields.map((i, n) => shown(this.schema, i, this.nums[entry * this.numFields.length + n] as number));
    const texts: string[] = [];
    let p = this.starts[entry] as number;
    for (let k = 0; k < this.textFields.length; k++) {
      const length = (this.chars[p] as number) | ((this.chars[p + 1] as number) << 16);
      texts.push(utf16.decode(this.chars.subarray(p + 2, p + 2 + length)));
      p += 2 + length;
    }
    return this.indices.map((i) => (this.schema.fields[i]?.type === 'text' ? texts.shift() : numbers.shift()) as string | number);
  }

  private holds(entry: number, row: Row): boolean {
    const { textFields, numFields, chars, nums } = this;
    const base = entry * numFields.length;
    for (let k = 0; k < numFields.length; k++) {
      if (nums[base + k] !== row.num[numFields[k] as number]) return false;
    }
    let p = this.starts[entry] as number;
    for (let k = 0; k < textFields.length; k++) {
      const t = row.text[textFields[k] as number] as string;
      if (((chars[p] as number) | ((chars[p + 1] as number) << 16)) !== t.length) return false;
      p += 2;
      for (let j = 0; j < t.length; j++) if (chars[p + j] !== t.charCodeAt(j)) return false;
      p += t.length;
    }
    return true;
  }

  private insert(slot: number, h: number, row: Row, month: string): void {
    const { textFields, numFields } = this;
    const entry = this.size++;
    if (entry === this.firstMonth.length) {
      this.firstMonth = grown(this.firstMonth, 0);
      this.starts = grown(this.starts, 0);
      this.nums = grown(this.nums, 0);
    }
    this.firstMonth[entry] = this.monthCode(month);
    for (let k = 0; k < numFields.length; k++) this.nums[entry * numFields.length + k] = row.num[numFields[k] as number] as number;
    this.starts[entry] = this.used;
    for (let k = 0; k < textFields.length; k++) {
      const t = row.text[textFields[k] as number] as string;
      if (this.used + 2 + t.length > this.chars.length) this.chars = grown(this.chars, this.used + 2 + t.length);
      const chars = this.chars;
      let p = this.used;
      chars[p++] = t.length & 0xffff;
      chars[p++] = t.length >>> 16;
      for (let j = 0; j < t.length; j++) chars[p++] = t.charCodeAt(j);
      this.used = p;
    }
    this.slots[2 * slot] = h;
    this.slots[2 * slot + 1] = entry + 1;
    // At most half full, so that probe runs stay short.
    if (this.size > this.slots.length >> 2) this.rehash();
  }

  private rehash(): void {
    const old = this.slots;
    const slots = new Int32Array(old.length * 2);
    const mask = (slots.length >> 1) - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s + 1] === 0) continue;
      let slot = (old[s] as number) & mask;
      while (slots[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      slots[2 * slot] = old[s] as number;
      slots[2 * slot + 1] = old[s + 1] as number;
    }
    this.slots = slots;
  }

  private monthCode(month: string): number {
    if (month !== this.lastMonth) {
      const known = this.months.indexOf(month);
      this.lastMonthCode = known >= 0 ? known : this.months.push(month) - 1;
      this.lastMonth = month;
    }
    return this.lastMonthCode;
  }

  private repeat(entry: number, month: string): void {
    let perMonth = this.repeated.get(entry);
    if (perMonth === undefined) {
      perMonth = new Map([[this.months[this.firstMonth[entry] as number] as string, 1]]);
      this.repeated.set(entry, perMonth);
    }
    perMonth.set(month, (perMonth.get(month) ?? 0) + 1);
  }
}
