import type net from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** A message the server read to its end: the envelope as the client gave it, and the mail parsed. */
export interface Received {
  mailFrom: string;
  /** Envelope recipients (RCPT TO), not the headers. */
  rcptTo: string[];
  mail: ParsedMail;
  raw: Buffer;
  /** False while its reply is held (holdReplies), and for good when the client went before it. */
  replied: boolean;
}

export type FaultStage = 'rcpt' | 'data';

export interface LoopbackSmtpOptions {
  /** Require AUTH with this user and password (offered without TLS, as security: none needs). */
  auth?: { user: string; pass: string };
}

interface Fault {
  code: number;
  stage: FaultStage;
  left: number;
}

/**
 * A real SMTP server (smtp-server) on 127.0.0.1, on a port of its own that it keeps across
 * stop() and start(), for the service's SMTP courier with `security: none`. It records every
 * message it reads, parsed with mailparser, and can be told to fail: reply with a code to the
 * next messages, hold its greeting (the client hangs connecting), hold its reply to the data
 * (the client hangs after the server has the message), or not listen at all.
 */
export class LoopbackSmtp {
  readonly host = '127.0.0.1';
  port = 0;
  /** Every message read to its end and not refused, in the order it arrived. */
  readonly received: Received[] = [];
  /** Replies refused by an injected fault: the code and the stage. */
  readonly refused: { code: number; stage: FaultStage }[] = [];
  /** Connections that reached the server's greeting step (whether or not it was given). */
  connections = 0;
  private server: SMTPServer | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly faults: Fault[] = [];
  private greetingsHeld = false;
  private repliesHeld = false;
  private readonly heldGreetings: (() => void)[] = [];
  private readonly heldReplies: (() => void)[] = [];

  private constructor(private readonly options: LoopbackSmtpOptions) {}

  /** Starts a server on a free port of loopback. */
  static async start(options: LoopbackSmtpOptions = {}): Promise<LoopbackSmtp> {
    const smtp = new LoopbackSmtp(options);
    await smtp.start();
    return smtp;
  }

  /** The `email.smtp` section of a service config that sends here. */
  smtpConfig(extra: Record<string, string | number> = {}): Record<string, string | number> {
    return { host: this.host, port: this.port, security: 'none', connect_timeout: '10s', reply_timeout: '60s', ...(this.options.auth ? { user: this.options.auth.user, password: this.options.auth.pass } : {}), ...extra };
  }

  /** The Message-IDs received, in order (a repeat appears twice). */
  messageIds(): string[] {
    return this.received.map((r) => r.mail.messageId ?? '');
  }

  /** How many times each Message-ID was received. */
  timesReceived(): Map<string, number> {
    const n = new Map<string, number>();
    for (const id of this.messageIds()) n.set(id, (n.get(id) ?? 0) + 1);
    return n;
  }

  /** The next `count` messages are refused with `code`, at RCPT TO or after their data. */
  replyNext(code: number, count: number, stage: FaultStage = 'data'): void {
    this.faults.push({ code, stage, left: count });
  }

  /** No more injected faults: those not yet used are dropped. */
  clearFaults(): void {
    this.faults.splice(0);
  }

  /** Connections from now on wait for their greeting until release(). */
  holdGreeting(): void {
    this.greetingsHeld = true;
  }

  /** Messages from now on are read and recorded, their reply held until release(). */
  holdReplies(): void {
    this.repliesHeld = true;
  }

  /** Greetings and replies held now. */
  get held(): { greetings: number; replies: number } {
    return { greetings: this.heldGreetings.length, replies: this.heldReplies.length };
  }

  /** Gives every held greeting and reply, and holds no more. */
  release(): void {
    this.greetingsHeld = false;
    this.repliesHeld = false;
    for (const go of this.heldGreetings.splice(0)) go();
    for (const go of this.heldReplies.splice(0)) go();
  }

  /** Listens (again) on its port: the first time on a free one. */
  async start(): Promise<void> {
    if (this.server) return;
    const auth = this.options.auth;
    const server = new SMTPServer({
      logger: false,
      disableReverseLookup: true,
      // Plain text on loopback, as `security: none` sends: no STARTTLS offered, AUTH only when asked for.
      disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !auth,
      allowInsecureAuth: true,
      closeTimeout: 100,
      onAuth: (a, _session, callback) => {
        if (auth && a.username === auth.user && a.password === auth.pass) callback(null, { user: a.username });
        else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onConnect: (_session, callback) => {
        this.connections++;
        if (this.greetingsHeld) this.heldGreetings.push(() => callback());
        else callback();
      },
      onRcptTo: (_address, _session, callback) => {
        const fault = this.take('rcpt');
        callback(fault ? refusal(fault) : null);
      },
      onData: (stream, session, callback) => void this.onData(stream, session, callback),
    });
    server.on('error', () => undefined);
    server.server.on('connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, this.host, () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    this.port = (server.server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops every connection at once; held greetings and replies are never given. The port is kept. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.heldGreetings.splice(0);
    this.heldReplies.splice(0);
    const closed = new Promise<void>((resolve) => server.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    server.close();
    await closed;
  }

  /** Stops for good. */
  close(): Promise<void> {
    return this.stop();
  }

  private take(stage: FaultStage): Fault | undefined {
    const fault = this.faults.find((f) => f.stage === stage && f.left > 0);
    if (!fault) return undefined;
    fault.left--;
    this.refused.push({ code: fault.code, stage });
    return fault;
  }

  private async onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of stream) chunks.push(chunk as Buffer);
    } catch (err) {
      callback(err as Error);
      return;
    }
    const fault = this.take('data');
    if (fault) {
      callback(refusal(fault));
      return;
    }
    const raw = Buffer.concat(chunks);
    // Parsed before the reply, so that a client told 250 finds the message here already.
    const received: Received = {
      mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      rcptTo: session.envelope.rcptTo.map((r) => r.address),
      mail: await simpleParser(raw),
      raw,
      replied: false,
    };
    this.received.push(received);
    const reply = () => {
      received.replied = true;
      callback();
    };
    if (this.repliesHeld) this.heldReplies.push(reply);
    else reply();
  }
}

function refusal(fault: Fault): Error {
  const words = fault.code >= 500 ? 'Mailbox unavailable (test refusal)' : 'Service not available, try again later (test refusal)';
  return Object.assign(new Error(words), { responseCode: fault.code });
}

/** Polls `condition` until it holds, failing with `what` after `timeout` ms: a bounded wait, never a sleep taken as an assertion. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeout = 30_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
