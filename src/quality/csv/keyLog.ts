import type { Row, RowSchema } from '../../sources/csv/index.js';
import { shown } from './keys.js';

const SEED = 0x811c9dc5 | 0;
const PRIME = 0x01000193;
const utf16 = new TextDecoder('utf-16le');

function resized<T extends Int32Array | Uint16Array | Float64Array>(array: T, length: number): T {
  const bigger = new (array.constructor as new (length: number) => T)(length);
  bigger.set(array);
  return bigger;
}

/** `rows` ordered by their hash, by two passes of a 16-bit radix sort: stable, so rows of one hash stay in file order. */
function sortedByHash(rows: Int32Array, hashes: Int32Array): Int32Array {
  let from: Int32Array = rows;
  let to: Int32Array = new Int32Array(rows.length);
  for (let shift = 0; shift < 32; shift += 16) {
    const bucket = (r: number) => ((hashes[r] as number) >>> shift) & 0xffff;
    // next[b]: where the next row of bucket b goes.
    const next = new Int32Array(65537);
    for (let k = 0; k < from.length; k++) {
      const b = bucket(from[k] as number) + 1;
      next[b] = (next[b] as number) + 1;
    }
    for (let b = 0; b < 65536; b++) next[b + 1] = (next[b + 1] as number) + (next[b] as number);
    for (let k = 0; k < from.length; k++) {
      const r = from[k] as number;
      const b = bucket(r);
      to[next[b] as number] = r;
      next[b] = (next[b] as number) + 1;
    }
    [from, to] = [to, from];
  }
  return from;
}

/**
 * The key of every row a unique check saw, in the order read: its month and its values (text as
 * UTF-16 code units, typed fields as numbers) copied into typed arrays. Finding a row's earlier
 * copy as it is read would need a random probe into a table of every key so far, which on a
 * million keys costs more than reading the row, and a Map of key strings keeps a million strings
 * for the garbage collector to copy; appending costs a few writes and allocates nothing. After the
 * pass a period's rows are hashed and sorted by hash, and rows of one hash compared value by
 * value, so the check is exact.
 */
export class KeyLog {
  private size = 0;
  private readonly textFields: number[];
  private readonly numFields: number[];
  private monthOf = new Uint16Array(0);
  private nums = new Float64Array(0);
  /** Where each row's text starts in `chars`: each value as its length (two code units) and its code units. */
  private starts = new Int32Array(0);
  private chars = new Uint16Array(0);
  private used = 0;
  private readonly months: string[] = [];
  private lastMonth = '';
  private lastMonthCode = -1;

  constructor(
    private readonly schema: RowSchema,
    private readonly indices: readonly number[],
  ) {
    this.textFields = indices.filter((i) => schema.fields[i]?.type === 'text');
    this.numFields = indices.filter((i) => schema.fields[i]?.type !== 'text');
  }

  /** Logs a row's key; a row with an empty key cell is, as under a SQL UNIQUE constraint, nobody's duplicate. */
  add(row: Row, month: string): void {
    const { textFields, numFields } = this;
    for (let k = 0; k < numFields.length; k++) if (Number.isNaN(row.num[numFields[k] as number])) return;
    for (let k = 0; k < textFields.length; k++) if (row.text[textFields[k] as number] === '') return;
    const r = this.size++;
    if (r === this.monthOf.length) {
      const capacity = Math.max(1024, 2 * r);
      this.monthOf = resized(this.monthOf, capacity);
      this.starts = resized(this.starts, capacity);
      this.nums = resized(this.nums, capacity * numFields.length);
    }
    this.monthOf[r] = month === this.lastMonth ? this.lastMonthCode : this.monthCode(month);
    for (let k = 0; k < numFields.length; k++) this.nums[r * numFields.length + k] = row.num[numFields[k] as number] as number;
    let p = this.used;
    this.starts[r] = p;
    for (let k = 0; k < textFields.length; k++) {
      const t = row.text[textFields[k] as number] as string;
      if (p + 2 + t.length > this.chars.length) this.chars = resized(this.chars, Math.max(16384, 2 * this.chars.length, p + 2 + t.length));
      const chars = this.chars;
      chars[p++] = t.length & 0xffff;
      chars[p++] = t.length >>> 16;
      for (let j = 0; j < t.length; j++) chars[p++] = t.charCodeAt(j);
    }
    this.used = p;
  }

  /**
   * Keys with more than one row in `months`: the first row of each (an index for `valuesOf`) and
   * the number of rows, in the order the first rows were read.
   */
  duplicates(months: readonly string[]): [first: number, copies: number][] {
    const wanted = new Uint8Array(this.months.length);
    for (const m of months) {
      const code = this.months.indexOf(m);
      if (code >= 0) wanted[code] = 1;
    }
    const inPeriod = new Int32Array(this.size);
    const hashes = new Int32Array(this.size);
    const numBits = new Int32Array(this.nums.buffer);
    let n = 0;
    for (let r = 0; r < this.size; r++) {
      if (wanted[this.monthOf[r] as number] !== 1) continue;
      inPeriod[n++] = r;
      hashes[r] = this.hash(r, numBits);
    }
    const sorted = sortedByHash(inPeriod.subarray(0, n), hashes);

    const found: [number, number][] = [];
    for (let start = 0; start < n; ) {
      const h = hashes[sorted[start] as number];
      let end = start + 1;
      while (end < n && hashes[sorted[end] as number] === h) end++;
      if (end - start > 1) found.push(...this.copiesAmong(sorted.subarray(start, end)));
      start = end;
    }
    return found.sort((a, b) => a[0] - b[0]);
  }

  /** The key values of a logged row, in the order of the key columns. */
  valuesOf(r: number): (string | number)[] {
    const numbers = this.numFields.map((i, k) => shown(this.schema, i, this.nums[r * this.numFields.length + k] as number));
    const texts: string[] = [];
    let p = this.starts[r] as number;
    for (let k = 0; k < this.textFields.length; k++) {
      const length = (this.chars[p] as number) | ((this.chars[p + 1] as number) << 16);
      texts.push(utf16.decode(this.chars.subarray(p + 2, p + 2 + length)));
      p += 2 + length;
    }
    return this.indices.map((i) => (this.schema.fields[i]?.type === 'text' ? texts.shift() : numbers.shift()) as string | number);
  }

  /** Rows of one hash (in file order) grouped by equal values: almost always one group, unless two keys share a hash. */
  private copiesAmong(rows: Int32Array): [number, number][] {
    const groups: [number, number][] = [];
    for (const r of rows) {
      const group = groups.find(([first]) => this.sameKey(first, r));
      if (group) group[1]++;
      else groups.push([r, 1]);
    }
    return groups.filter(([, copies]) => copies > 1);
  }

  /** FNV-1a over a row's numbers (as bits) and text (lengths included), then a finaliser that mixes both halves. */
  private hash(r: number, numBits: Int32Array): number {
    const width = 2 * this.numFields.length;
    let h = SEED;
    for (let k = r * width; k < (r + 1) * width; k++) h = Math.imul(h ^ (numBits[k] as number), PRIME);
    const end = this.textEnd(r);
    for (let p = this.starts[r] as number; p < end; p++) h = Math.imul(h ^ (this.chars[p] as number), PRIME);
    h ^= h >>> 16;
    h = Math.imul(h, 0x45d9f3b);
    return h ^ (h >>> 16);
  }

  private sameKey(a: number, b: number): boolean {
    const { numFields, nums, chars, starts } = this;
    for (let k = 0; k < numFields.length; k++) {
      if (nums[a * numFields.length + k] !== nums[b * numFields.length + k]) return false;
    }
    // A row's text (lengths included) runs to where the next row's starts.
    const pa = starts[a] as number;
    const pb = starts[b] as number;
    const length = this.textEnd(b) - pb;
    if (this.textEnd(a) - pa !== length) return false;
    for (let j = 0; j < length; j++) if (chars[pa + j] !== chars[pb + j]) return false;
    return true;
  }

  private textEnd(r: number): number {
    return r + 1 < this.size ? (this.starts[r + 1] as number) : this.used;
  }

  private monthCode(month: string): number {
    const known = this.months.indexOf(month);
    this.lastMonthCode = known >= 0 ? known : this.months.push(month) - 1;
    this.lastMonth = month;
    return this.lastMonthCode;
  }
}
