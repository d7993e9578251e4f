import type { Row, RowSchema } from '../../sources/csv/index.js';
import { shown } from './keys.js';

// FNV-1a over the key's cells, then a finaliser that spreads the low bits the slots are picked by.
const SEED = 0x811c9dc5 | 0;
const PRIME = 0x01000193;
const scratch = new Float64Array(1);
const scratchBits = new Int32Array(scratch.buffer);

function grown<T extends Uint16Array | Float64Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

/**
 * Rows per key of a unique check, for every month read. A Map keyed by strings would build a
 * string for every row and hash it again; this open-addressing table hashes a row's cells where
 * they are, keeps each key's values once (a reference to the cell's text, or its number), and
 * confirms equal hashes by comparing the values, so it is exact. A key's first row costs one
 * entry; only a key seen again gets an object, counting its rows per month, so any period's
 * duplicates can be told after the pass.
 */
export class KeyTable {
  /** Pairs (hash, entry + 1), 0 for a free slot: a probe reads one place to skip another key. */
  private slots = new Int32Array(2 * 1024);
  private size = 0;
  private firstMonth = new Uint16Array(512);
  /** Per key column: its values by entry, text or number according to the field. */
  private readonly texts: string[][];
  private nums: Float64Array[];
  private readonly typed: boolean[];
  private readonly months: string[] = [];
  private lastMonth = '';
  private lastMonthCode = -1;
  /** Entry -> rows per month id, the first row included, for keys seen more than once. */
  private readonly repeated = new Map<number, Map<string, number>>();

  constructor(
    private readonly schema: RowSchema,
    private readonly indices: readonly number[],
  ) {
    this.typed = indices.map((i) => schema.fields[i]?.type !== 'text');
    this.texts = indices.map(() => []);
    this.nums = indices.map((_, k) => new Float64Array(this.typed[k] ? 512 : 0));
  }

  /** Counts a row; a row with an empty key cell is, as under a SQL UNIQUE constraint, nobody's duplicate. */
  add(row: Row, month: string): void {
    const { indices, typed } = this;
    let h = SEED;
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k] as number;
      if (typed[k]) {
        const v = row.num[i] as number;
        if (Number.isNaN(v)) return;
        scratch[0] = v;
        h = Math.imul(h ^ (scratchBits[0] as number), PRIME);
        h = Math.imul(h ^ (scratchBits[1] as number), PRIME);
      } else {
        const t = row.text[i] as string;
        if (t === '') return;
        for (let j = 0; j < t.length; j++) h = Math.imul(h ^ t.charCodeAt(j), PRIME);
        h = Math.imul(h ^ t.length, PRIME);
      }
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
    return this.indices.map((i, k) => (this.typed[k] ? shown(this.schema, i, this.nums[k]![entry]!) : this.texts[k]![entry]!));
  }

  private holds(entry: number, row: Row): boolean {
    const { indices, typed } = this;
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k] as number;
      if (typed[k] ? this.nums[k]![entry] !== row.num[i] : this.texts[k]![entry] !== row.text[i]) return false;
    }
    return true;
  }

  private monthCode(month: string): number {
    if (month !== this.lastMonth) {
      const known = this.months.indexOf(month);
      this.lastMonthCode = known >= 0 ? known : this.months.push(month) - 1;
      this.lastMonth = month;
    }
    return this.lastMonthCode;
  }

  private insert(slot: number, h: number, row: Row, month: string): void {
    const entry = this.size++;
    if (entry === this.firstMonth.length) {
      this.firstMonth = grown(this.firstMonth);
      this.nums = this.nums.map((column, k) => (this.typed[k] ? grown(column) : column));
    }
    this.firstMonth[entry] = this.monthCode(month);
    for (let k = 0; k < this.indices.length; k++) {
      const i = this.indices[k] as number;
      if (this.typed[k]) this.nums[k]![entry] = row.num[i]!;
      else this.texts[k]![entry] = row.text[i]!;
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

  private repeat(entry: number, month: string): void {
    let perMonth = this.repeated.get(entry);
    if (perMonth === undefined) {
      perMonth = new Map([[this.months[this.firstMonth[entry] as number] as string, 1]]);
      this.repeated.set(entry, perMonth);
    }
    perMonth.set(month, (perMonth.get(month) ?? 0) + 1);
  }
}
