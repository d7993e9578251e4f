/** What `within` rejects with when the work outlasts its time; the work itself goes on. */
export class TooLate extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TooLate';
  }
}

/** `work` within `ms`, else rejected with TooLate saying what did not answer. */
export function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TooLate(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Whether `work` settles within `ms`; the work goes on either way. */
export const settlesWithin = (work: Promise<unknown>, ms: number): Promise<boolean> => within(work.then(() => true), ms, 'work under way').catch(() => false);

/** Waits `ms`, or less once `signal` aborts. */
export function pauseFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
