import type { Gauge, Registry } from 'prom-client';
import type { LocalDate } from '../calendar/localDate.js';
import type { Logger } from '../logger.js';
import { TooLate, within } from '../deadline.js';
import { StoreFault } from '../runs/record.js';
import type { StoreParts } from '../store/store.js';
import { readState } from './state.js';
import { stateFamilies, type StateContext } from './stateFamilies.js';

/** What a scrape reads: the store's parts and the mark that says when they changed. */
export interface ScrapedStore extends StoreParts {
  changeMark(): Promise<string>;
}

export interface ScrapeSource extends StateContext {
  store: ScrapedStore;
  /** Today in the service's timezone: the as-at month rolls over at midnight. */
  today(): LocalDate;
  logger: Logger;
}

/**
 * How long a scrape waits for the store before it answers without the state: within
 * Prometheus' default scrape timeout of 10 s, so a store that hangs shows as
 * lineofsight_store_up 0, not as a target down.
 */
export const STATE_READ_BUDGET_MS = 5_000;

/**
 * Builds the /metrics text. The state families are read from the store, so every replica and a
 * restarted process serve the same values, and a run by any process shows at the next scrape;
 * the text is rebuilt only when the store's change mark or the day moves, and one read at a
 * time is in flight, however many scrapes come at once: they share it. When the store does not
 * answer, or does not within the budget, the process's own metrics are still served, with
 * lineofsight_store_up 0; a read that outlives its scrape goes on, and the next scrape shares it.
 */
export class Scraper {
  private cached: { key: string; text: Buffer } | undefined;
  private inFlight: Promise<Buffer | null> | undefined;
  private storeFailing = false;

  constructor(
    private readonly source: ScrapeSource,
    private readonly registry: Registry,
    private readonly storeUp: Gauge,
    private readonly budgetMs = STATE_READ_BUDGET_MS,
  ) {}

  /**
   * The whole text, as the chunks to send: the state's, kept encoded between changes (megabytes
   * for thousands of indicators), then this process's own.
   */
  async metrics(): Promise<Buffer[]> {
    const read = (this.inFlight ??= this.stateText().finally(() => (this.inFlight = undefined)));
    const state = await within(read, this.budgetMs, 'the store').catch((err: unknown) => {
      if (!(err instanceof TooLate)) throw err;
      if (!this.storeFailing) this.source.logger.error({ err: err.message }, 'state metrics not served: the store did not answer within the budget');
      this.storeFailing = true;
      return null;
    });
    this.storeUp.set(state === null ? 0 : 1);
    const own = Buffer.from(await this.registry.metrics());
    return state === null ? [own] : [state, own];
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async stateText(): Promise<Buffer | null> {
    const { store, today, logger } = this.source;
    try {
      const day = today();
      // Read before the state, so a change landing during the read is seen at the next scrape.
      const key = `${day} ${await store.changeMark()}`;
      if (this.cached?.key !== key) this.cached = { key, text: Buffer.from(stateFamilies(await readState(store, this.source.config, this.source.register, day), this.source)) };
      if (this.storeFailing) logger.info('the store answers again: state metrics are back');
      this.storeFailing = false;
      return this.cached.text;
    } catch (err) {
      // Only the store not answering is a store down; any other error is the service's own.
      if (!(err instanceof StoreFault)) throw err;
      // Said once when it starts failing, not at every scrape.
      if (!this.storeFailing) logger.error({ err: (err as Error).message }, 'state metrics not served: the store did not answer');
      this.storeFailing = true;
      this.cached = undefined;
      return null;
    }
  }
}
