import { FilterError } from '../report/filters.js';

/** A request the server refuses with a status and a message (no stack, no internals). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * The query parameters of a request, each known to its endpoint and given at most once: a
 * parameter that is not a filter of the endpoint is refused by name, never ignored, since a
 * misspelt filter would otherwise answer with everything.
 */
export function queryOf<K extends string>(params: URLSearchParams, known: readonly K[]): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const name of new Set(params.keys())) {
    if (!(known as readonly string[]).includes(name)) {
      throw new HttpError(400, `unknown query parameter "${name}"${known.length ? ` (known: ${known.join(', ')})` : ': this endpoint takes none'}`);
    }
    const values = params.getAll(name);
    if (values.length > 1) throw new HttpError(400, `query parameter "${name}" is given ${values.length} times; give it once`);
    // An empty filter would quietly filter nothing: say so rather than answer with everything.
    if (values[0]!.trim() === '') throw new HttpError(400, `query parameter "${name}" is empty`);
    out[name as K] = values[0]!;
  }
  return out;
}

/** A filter's value checked by a read model's rules: its refusal is the client's mistake, a 400. */
export function checked<T>(check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof FilterError) throw new HttpError(400, err.message);
    throw err;
  }
}
