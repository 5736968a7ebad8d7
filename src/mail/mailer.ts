import type { Kysely } from 'kysely';
import nodemailer from 'nodemailer';
import { GatehouseError, type Clock, type IdSource, type Logger } from '../core/index.js';
import type { Database } from '../storage/index.js';

/** One composed message, in the recipient's language, as plain text and HTML. */
export interface MailMessage {
  to: string;
  /** What the message is about (`verify-email`, `reset-password`, …): shown in the outbox. */
  kind: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** `smtp` sends through SMTP_URL; `outbox` keeps mail in the store for admins to read. */
  readonly delivery: 'smtp' | 'outbox';
  /** Throws GH_AUTH_MAIL_FAILED when the server refuses the message. */
  send(message: MailMessage): Promise<void>;
  close(): void;
}

export interface MailerDeps {
  smtpUrl?: string | undefined;
  from: string;
  db: Kysely<Database>;
  clock: Clock;
  ids: IdSource;
  logger: Logger;
}

/**
 * The one mailer: nodemailer composes every message, so SMTP delivery and the outbox see the same
 * addresses and bodies. Without SMTP_URL the composed message is kept in the store's outbox, so the
 * whole flow (sign-up, verify, reset) works on one machine with nothing else installed.
 */
export function createMailer(deps: MailerDeps): Mailer {
  if (deps.smtpUrl) {
    const transport = nodemailer.createTransport(deps.smtpUrl);
    return {
      delivery: 'smtp',
      async send(message) {
        try {
          await transport.sendMail({ from: deps.from, to: message.to, subject: message.subject, text: message.text, html: message.html });
        } catch (cause) {
          // The server's answer may quote the message; log only the kind and the SMTP response code.
          deps.logger.error({ kind: message.kind, responseCode: (cause as { responseCode?: number }).responseCode }, 'mail delivery failed');
          throw new GatehouseError('GH_AUTH_MAIL_FAILED', { cause });
        }
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ jsonTransport: true });
  return {
    delivery: 'outbox',
    async send(message) {
      const info = await transport.sendMail({ from: deps.from, to: message.to, subject: message.subject, text: message.text, html: message.html });
      const composed = JSON.parse(String(info.message)) as { subject?: string; text?: string; html?: string };
      await deps.db
        .insertInto('mail_outbox')
        .values({
          id: deps.ids.uuid(),
          created_at: deps.clock.now(),
          to_address: message.to,
          subject: composed.subject ?? message.subject,
          kind: message.kind,
          text_body: composed.text ?? message.text,
          html_body: composed.html ?? message.html,
        })
        .execute();
    },
    close: () => transport.close(),
  };
}

export interface OutboxEntry {
  id: string;
  createdAt: number;
  to: string;
  kind: string;
  subject: string;
  text: string;
  html: string;
}

/** Newest first; `to` filters by recipient. */
export async function listOutbox(db: Kysely<Database>, query: { limit?: number; to?: string } = {}): Promise<OutboxEntry[]> {
  let q = db.selectFrom('mail_outbox').selectAll().orderBy('created_at', 'desc').limit(Math.min(query.limit ?? 50, 500));
  if (query.to) q = q.where('to_address', '=', query.to.trim().toLowerCase());
  const rows = await q.execute();
  return rows.map((r) => ({ id: r.id, createdAt: Number(r.created_at), to: r.to_address, kind: r.kind, subject: r.subject, text: r.text_body, html: r.html_body }));
}
