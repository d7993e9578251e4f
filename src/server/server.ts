import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OpenService } from '../app/open.js';
import type { Scraper } from '../metrics/scrape.js';
import { StoreFault } from '../runs/record.js';
import { bounded } from '../text.js';
import { API } from './api.js';
import { bearerMatches } from './auth.js';
import { HttpError, queryOf } from './query.js';
import type { ReadinessProbe } from './readiness.js';

export interface ServeOptions {
  host: string;
  port: number;
  /** When set, every path but /healthz wants `Authorization: Bearer <token>`. */
  token?: string;
  scraper: Scraper;
  readiness: ReadinessProbe;
}

export interface RunningServer {
  /** Where it listens, e.g. http://127.0.0.1:9464. */
  url: string;
  server: Server;
  /** Serves `open` from the next request on, with its own scraper and readiness: a reloaded configuration. */
  replace(open: OpenService, parts: Pick<ServeOptions, 'scraper' | 'readiness'>): void;
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

function send(res: ServerResponse, status: number, type: string, body: string | Buffer[], head: boolean, extra: Record<string, string> = {}): void {
  const length = typeof body === 'string' ? Buffer.byteLength(body) : body.reduce((n, b) => n + b.length, 0);
  res.writeHead(status, { 'content-type': type, 'content-length': length, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...extra });
  if (head) return void res.end();
  if (typeof body === 'string') return void res.end(body);
  for (const chunk of body) res.write(chunk);
  res.end();
}

const sendJson = (res: ServerResponse, status: number, value: unknown, head: boolean, extra?: Record<string, string>) => send(res, status, JSON_TYPE, `${JSON.stringify(value)}\n`, head, extra);

/** The request's target as a URL, or a 400 for one that is not. */
function urlOf(target: string | undefined): URL {
  try {
    return new URL(target ?? '/', 'http://localhost');
  } catch {
    throw new HttpError(400, 'the request target is not a valid URL path');
  }
}

/** What the parser could not read, answered with its own status: too slow, too large, or malformed. */
const CLIENT_ERRORS: Readonly<Record<string, string>> = {
  ERR_HTTP_REQUEST_TIMEOUT: '408 Request Timeout',
  HPE_HEADER_OVERFLOW: '431 Request Header Fields Too Large',
};

/** The path's segments, or a 400 for one that cannot be decoded. */
function segmentsOf(pathname: string): string[] {
  try {
    return pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new HttpError(400, 'the path is not valid percent-encoding');
  }
}

/**
 * `lineofsight serve`'s HTTP server: /metrics, /healthz, /readyz and the read-only JSON API.
 * Only GET and HEAD; a request must arrive whole within its timeouts, and one the parser cannot
 * read is answered 400 and closed, never taken down with the server.
 */
export async function startServer(first: OpenService, options: ServeOptions): Promise<RunningServer> {
  const log = first.logger.child({ component: 'http' });
  let open = first;
  let { scraper, readiness } = options;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) return sendJson(res, 405, { error: `${bounded(String(req.method), 20)} is not allowed: this server is read-only` }, false, { allow: 'GET, HEAD' });
    const url = urlOf(req.url);
    const path = url.pathname;
    if (path === '/healthz') {
      queryOf(url.searchParams, []);
      return send(res, 200, 'text/plain; charset=utf-8', 'ok\n', head);
    }
    if (options.token !== undefined && !bearerMatches(req.headers.authorization, options.token)) {
      return sendJson(res, 401, { error: 'a bearer token is required: Authorization: Bearer <token>' }, head, { 'www-authenticate': 'Bearer realm="lineofsight"' });
    }
    if (path === '/metrics') {
      queryOf(url.searchParams, []);
      return send(res, 200, scraper.contentType, await scraper.metrics(), head);
    }
    if (path === '/readyz') {
      queryOf(url.searchParams, []);
      const r = await readiness.probe();
      return sendJson(res, r.ready ? 200 : 503, r, head);
    }
    const [first, name, rest, ...more] = segmentsOf(path);
    const endpoint = first === 'api' && name !== undefined && more.length === 0 && Object.hasOwn(API, name) ? API[name] : undefined;
    if (!endpoint || (rest !== undefined && name !== 'values')) throw new HttpError(404, `no such path: ${bounded(path, 200)} (see README, "HTTP API")`);
    return sendJson(res, 200, await endpoint(open, url.searchParams, rest), head);
  }

  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000, maxHeaderSize: 16_384 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      const head = req.method === 'HEAD';
      if (err instanceof HttpError) return sendJson(res, err.status, { error: bounded(err.message) }, head);
      if (err instanceof StoreFault) return sendJson(res, 503, { error: bounded(err.message) }, head);
      log.error({ err: (err as Error).message, path: bounded(req.url ?? '', 200) }, 'request failed');
      sendJson(res, 500, { error: 'internal error: see the service log' }, head);
    });
  });
  // A request the parser cannot read: answered if the socket still can be, then closed.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && err.code !== 'ECONNRESET') socket.end(`HTTP/1.1 ${CLIENT_ERRORS[err.code ?? ''] ?? '400 Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    else socket.destroy();
  });
  server.maxHeadersCount = 100;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    replace: (next, parts) => {
      open = next;
      ({ scraper, readiness } = parts);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
