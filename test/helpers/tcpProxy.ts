import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of a real server, for a store that is slow (every chunk held back) or
 * goes away and comes back: the database itself keeps running for every other test.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  /** While held, what either side sends waits here: a store that hangs without refusing. */
  private held: (() => void)[] | undefined;
  delayMs = 0;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const probe = createServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
    await new Promise((resolve) => probe.close(resolve));
    const proxy = new TcpProxy(port, target);
    await proxy.up();
    return proxy;
  }

  private relay(from: Socket, to: Socket): void {
    from.on('data', (chunk) => {
      if (this.held) return void this.held.push(() => to.write(chunk));
      if (!this.delayMs) return void to.write(chunk);
      from.pause();
      setTimeout(() => {
        to.write(chunk);
        from.resume();
      }, this.delayMs);
    });
    from.on('close', () => to.destroy());
    from.on('error', () => to.destroy());
  }

  async up(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
      }
      this.relay(client, upstream);
      this.relay(upstream, client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  /** Holds everything sent either way until `release`: connections stay open, nothing answers. */
  hold(): void {
    this.held ??= [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const send of held) send();
  }

  /** Refuses new connections and cuts every open one, as a store that went away. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}
