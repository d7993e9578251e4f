import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { EmailConfig } from '../config/schema.js';
import type { OutboxMessage } from './outbox.js';

/** What hands a message on: an SMTP server, or a folder of .eml files. */
export interface Courier {
  /** Where messages go, for messages and logs (never a password). */
  readonly name: string;
  send(message: OutboxMessage): Promise<void>;
  close(): void;
}

/** The message as nodemailer builds it: the same bytes at every attempt, Message-ID and date included. */
export function mailOf(m: OutboxMessage): SendMailOptions {
  return {
    from: m.from,
    to: { name: m.to.name, address: m.to.address },
    subject: m.subject,
    text: m.text,
    html: m.html,
    messageId: m.messageId,
    date: new Date(m.createdAt),
    headers: { 'X-Lineofsight-Message': m.kind },
    attachments: m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
  };
}

/** SMTP through nodemailer's pool: connection and reply timeouts so that a server that stalls fails the attempt. */
function smtpCourier(smtp: NonNullable<EmailConfig['smtp']>, concurrency: number): Courier {
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: concurrency,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: smtp.connect_timeout,
    greetingTimeout: smtp.connect_timeout,
    socketTimeout: smtp.reply_timeout,
  });
  return {
    name: `SMTP ${smtp.host}:${smtp.port}`,
    async send(m) {
      await transport.sendMail(mailOf(m));
    },
    close: () => transport.close(),
  };
}

/**
 * Each message as a .eml file named by its outbox id: written whole under another name, then
 * renamed, so a reader never sees half a message and a second attempt writes the same file.
 */
function filesCourier(dir: string): Courier {
  const build = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    name: `files in ${dir}`,
    async send(m) {
      const info = (await build.sendMail(mailOf(m))) as { message: Buffer };
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, `${m.createdAt.slice(0, 10)}-${String(m.id).padStart(6, '0')}-${m.kind}.eml`);
      const partial = `${file}.${process.pid}.partial`;
      await writeFile(partial, info.message);
      await rename(partial, file);
    },
    close: () => build.close(),
  };
}

/** The courier the email settings name. */
export function courierFor(email: EmailConfig, concurrency: number): Courier {
  if (email.transport === 'smtp') {
    if (!email.smtp) throw new Error('email.transport is smtp but email.smtp gives no host');
    return smtpCourier(email.smtp, concurrency);
  }
  return filesCourier(email.files_dir);
}

/**
 * Whether a failed attempt may succeed later. A 5xx reply is the server's final word on the
 * message; a 4xx reply, a connection that failed or timed out, may pass.
 */
export function isPermanent(err: unknown): boolean {
  const code = (err as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

/** An attempt's failure in words, bounded: the server's reply, or what went wrong on the way. */
export function faultOf(err: unknown): string {
  const e = err as { response?: unknown; code?: unknown; message?: unknown };
  const text = typeof e.response === 'string' ? e.response : String(e.message ?? err);
  const code = typeof e.code === 'string' ? `${e.code}: ` : '';
  return `${code}${text}`.replace(/\s+/g, ' ').slice(0, 500);
}
