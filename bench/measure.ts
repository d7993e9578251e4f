/** Wall-clock milliseconds of `fn`. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Runs baseline and candidate alternately, `rounds` times each, and compares medians: machines
 * here are noisy, so both sides share whatever the machine is doing at the time.
 */
export async function compare(rounds: number, baseline: () => Promise<unknown>, candidate: () => Promise<unknown>) {
  const b: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < rounds; i++) {
    b.push(await timed(baseline));
    c.push(await timed(candidate));
  }
  return { baselineMs: median(b), candidateMs: median(c), ratio: median(c) / median(b) };
}

export interface BenchResult {
  name: string;
  target: string;
  measured: string;
  pass: boolean;
}
