// Account mail: one mailer (SMTP when SMTP_URL is set, else an outbox table admins read) and the
// EN/KO templates of every message gatehouse sends.
export { createMailer, listOutbox } from './mailer.js';
export type { MailMessage, Mailer, OutboxEntry } from './mailer.js';
export { renderMail } from './templates.js';
export type { MailKind, MailLang } from './templates.js';
