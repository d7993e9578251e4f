/** What /readyz answers: ready, or every reason it is not. */
export interface Readiness {
  ready: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

/** How long the store has to answer a readiness probe before it is taken as down. */
export const READY_TIMEOUT_MS = 5_000;

/** `work` within `ms`, else rejected saying so. */
export function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Readiness: the configuration was loaded whole (serve does not start otherwise) and the store
 * answers. One probe of the store in flight at a time: probes arriving together share it.
 */
export class ReadinessProbe {
  private inFlight: Promise<Readiness> | undefined;

  constructor(
    private readonly configFile: string,
    private readonly storeName: string,
    private readonly ping: () => Promise<void>,
  ) {}

  probe(): Promise<Readiness> {
    return (this.inFlight ??= this.check().finally(() => (this.inFlight = undefined)));
  }

  private async check(): Promise<Readiness> {
    const config = { name: 'config', ok: true, detail: `loaded from ${this.configFile}` };
    let store = { name: 'store', ok: true, detail: `${this.storeName} answers` };
    try {
      await within(this.ping(), READY_TIMEOUT_MS, this.storeName);
    } catch (err) {
      store = { name: 'store', ok: false, detail: (err as Error).message };
    }
    return { ready: config.ok && store.ok, checks: [config, store] };
  }
}
