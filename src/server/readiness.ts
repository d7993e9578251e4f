import { within } from '../deadline.js';

/** What /readyz answers: ready, or every reason it is not. */
export interface Readiness {
  ready: boolean;
  checks: ReadinessCheck[];
}

export interface ReadinessCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** How long the store has to answer a readiness probe before it is taken as down. */
export const READY_TIMEOUT_MS = 5_000;

/**
 * Readiness: the configuration was loaded whole (serve does not start otherwise) and the store
 * answers. One ping of the store in flight at a time, however many probes, and however long it
 * takes: a probe that gives up on it leaves it running for the next probe to share.
 */
export class ReadinessProbe {
  private pinging: Promise<void> | undefined;

  constructor(
    private readonly configFile: string,
    private readonly storeName: string,
    private readonly ping: () => Promise<void>,
    /** Checks of this process's own, asked at every probe: the scheduler's. */
    private readonly own: () => ReadinessCheck[] = () => [],
  ) {}

  async probe(): Promise<Readiness> {
    const config = { name: 'config', ok: true, detail: `loaded from ${this.configFile}` };
    let store = { name: 'store', ok: true, detail: `${this.storeName} answers` };
    try {
      const ping = (this.pinging ??= this.ping().finally(() => (this.pinging = undefined)));
      await within(ping, READY_TIMEOUT_MS, this.storeName);
    } catch (err) {
      store = { name: 'store', ok: false, detail: (err as Error).message };
    }
    const checks = [config, store, ...this.own()];
    return { ready: checks.every((c) => c.ok), checks };
  }
}
