/** Email over SMTP (nodemailer): a plain-text message with the alert's sentence and link. */
import nodemailer from 'nodemailer';
import { scopeLabel } from '../scope.js';
import type { EmailChannelConfig } from './channel-config.js';
import type { DeliveryResult, RetryPolicy } from './http-delivery.js';
import type { RenderedMessage } from './notify-event.js';

export async function sendEmail(c: EmailChannelConfig, m: RenderedMessage, retry: RetryPolicy): Promise<DeliveryResult> {
  const transport = nodemailer.createTransport({
    host: c.smtp.host,
    port: c.smtp.port,
    secure: c.smtp.secure ?? c.smtp.port === 465,
    ...(c.smtp.user ? { auth: { user: c.smtp.user, pass: c.smtp.password ?? '' } } : {}),
    ...(c.smtp.insecure_tls ? { tls: { rejectUnauthorized: false } } : {}),
  });
  const text = [m.text, '', `Scope: ${scopeLabel(m.scope)}`, `Kind: ${m.kind}`, `Severity: ${m.severity}`, ...(m.link ? [`Explorer: ${m.link}`] : [])].join('\n');
  let last: DeliveryResult = { ok: false, attempts: 0, status: null };
  try {
    for (let attempt = 1; attempt <= retry.attempts; attempt++) {
      try {
        await transport.sendMail({ from: c.from, to: c.to, subject: `[Costrail] ${m.title}`, text });
        return { ok: true, attempts: attempt, status: 250 };
      } catch (e) {
        const code = (e as { responseCode?: number }).responseCode ?? null;
        last = { ok: false, attempts: attempt, status: code, error: (e as NodeJS.ErrnoException).code ?? (e as Error).message };
        // 5xx SMTP replies are permanent (bad address, refused); 4xx and connection errors are retried.
        if (code !== null && code >= 500) return last;
      }
      if (attempt < retry.attempts) await new Promise((r) => setTimeout(r, Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1))).unref());
    }
    return last;
  } finally {
    transport.close();
  }
}
