/** Work under way, kept till it settles, so that a stop can wait for what was started before it. */
export class UnderWay {
  private readonly work = new Set<Promise<unknown>>();

  /** `promise`, kept till it settles. */
  add<T>(promise: Promise<T>): Promise<T> {
    const kept = promise.finally(() => this.work.delete(kept));
    this.work.add(kept);
    return kept;
  }

  /** Everything under way now, settled. */
  settled(): Promise<unknown> {
    return Promise.allSettled(this.work);
  }
}
