import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import type { Alert } from '../../src/alerts/alert-types.js';
import { Notifier, channelWants } from '../../src/alerts/channels/notifier.js';
import { renderEvent } from '../../src/alerts/channels/notify-event.js';
import { verifyWebhook } from '../../src/alerts/channels/webhook-channel.js';

const FAST = { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 };

function alert(over: Partial<Alert> = {}): Alert {
  return {
    id: 'al-1',
    scope: { team: 'search' },
    kind: 'spend_velocity',
    severity: 'critical',
    observed: 42.5,
    expected: 3.1,
    expected_low: 2,
    expected_high: 6,
    unit: 'usd',
    window_minutes: 15,
    summary: 'Spend on team search ran at $157.60/h above normal.',
    status: 'open',
    detected_at: Date.UTC(2026, 10, 27, 3, 14),
    last_seen_at: Date.UTC(2026, 10, 27, 3, 14),
    acknowledged_at: null,
    resolved_at: null,
    resolved_by: null,
    peak_observed: 42.5,
    contributors: [{ dimension: 'key_id', value: 'k-9', cost: '40.10', requests: 812 }],
    link: '/#/explorer?team=search',
    ...over,
  };
}

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A loopback receiver answering with the given statuses in turn (then 200). */
async function receiver(statuses: number[] = []): Promise<{ url: string; got: Received[]; close: () => Promise<void> }> {
  const got: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(statuses.shift() ?? 200);
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hook`, got, close: () => new Promise((r) => server.close(() => r())) };
}

describe('alert channels', () => {
  it('webhook: JSON signed with HMAC-SHA256 that the receiver verifies; retried after a 500', async () => {
    const rx = await receiver([500]);
    const secret = 'whsec-test-123456';
    const n = new Notifier({ channels: () => [{ type: 'webhook', url: rx.url, secret }], retry: FAST, baseUrl: 'http://costrail.local' });
    const [res] = await n.notify({ type: 'alert.opened', alert: alert() });
    await rx.close();
    assert.equal(res?.result.ok, true);
    assert.equal(res?.result.attempts, 2);
    assert.equal(rx.got.length, 2, 'the 500 was retried');
    const last = rx.got[1]!;
    const sig = String(last.headers['x-costrail-signature']);
    assert.ok(verifyWebhook(secret, String(last.headers['x-costrail-timestamp']), last.body, sig), 'signature verifies with the shared secret');
    assert.ok(!verifyWebhook('another-secret-1', String(last.headers['x-costrail-timestamp']), last.body, sig));
    assert.ok(!verifyWebhook(secret, String(last.headers['x-costrail-timestamp']), last.body.replace('42.5', '1'), sig), 'a tampered body fails');
    const body = JSON.parse(last.body) as { type: string; alert: { scope: unknown; detected_at: string }; link: string };
    assert.equal(body.type, 'alert.opened');
    assert.deepEqual(body.alert.scope, { team: 'search' });
    assert.equal(body.alert.detected_at, '2026-11-27T03:14:00.000Z');
    assert.equal(body.link, 'http://costrail.local/#/explorer?team=search');
  });

  it('webhook: a 4xx is final (no retry), and gives up after the attempts on repeated 5xx', async () => {
    const rx = await receiver([404, 503, 503, 503, 503]);
    const n = new Notifier({ channels: () => [{ type: 'webhook', url: rx.url }], retry: FAST });
    const [r1] = await n.notify({ type: 'alert.opened', alert: alert() });
    assert.deepEqual([r1?.result.ok, r1?.result.attempts, r1?.result.status], [false, 1, 404]);
    const [r2] = await n.notify({ type: 'alert.opened', alert: alert() });
    await rx.close();
    assert.deepEqual([r2?.result.ok, r2?.result.attempts, r2?.result.status], [false, 4, 503]);
    assert.equal(rx.got.length, 5);
  });

  it('Slack: incoming-webhook payload with text and blocks, mrkdwn escaped', async () => {
    const rx = await receiver();
    const n = new Notifier({ channels: () => [{ type: 'slack', url: rx.url }], retry: FAST, baseUrl: 'https://costrail.example' });
    await n.notify({ type: 'alert.opened', alert: alert({ summary: 'Spend on team <search> & co' }) });
    await rx.close();
    const p = JSON.parse(rx.got[0]!.body) as { text: string; blocks: { type: string; text?: { text: string } }[] };
    assert.match(p.text, /^:rotating_light: Alert: spend velocity on team search \(critical\)$/);
    assert.deepEqual(p.blocks.map((b) => b.type), ['header', 'section', 'context', 'section']);
    assert.match(p.blocks[1]!.text!.text, /team &lt;search&gt; &amp; co/);
    assert.match(p.blocks[3]!.text!.text, /<https:\/\/costrail\.example\/#\/explorer\?team=search\|Open in Costrail explorer>/);
  });

  describe('email over SMTP', () => {
    let smtp: SMTPServer;
    let port = 0;
    const mails: { from: string; to: string[]; data: string }[] = [];
    before(async () => {
      smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        onData(stream, session, cb) {
          let data = '';
          stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
          stream.on('end', () => {
            // Unfold header lines and quoted-printable soft breaks so the text can be matched.
            mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), data: data.replace(/=\r\n/g, '').replace(/\r\n[ \t]+/g, ' ') });
            cb();
          });
        },
      });
      await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
      port = (smtp.server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((r) => smtp.close(() => r())));

    it('the local SMTP sink receives the alert and a budget threshold event', async () => {
      const n = new Notifier({
        channels: () => [{ type: 'email', smtp: { host: '127.0.0.1', port, secure: false }, from: 'costrail@example.com', to: ['finops@example.com'], min_severity: 'warning' }],
        retry: FAST,
      });
      const [r] = await n.notify({ type: 'alert.opened', alert: alert() });
      assert.equal(r?.result.ok, true, r?.result.error);
      await n.notify({ type: 'budget.threshold', budget: { budget_id: 'b1', budget_name: 'search monthly', scope: { team: 'search' }, threshold: 0.8, unit: 'usd', spent: '80.00', limit: '100.00', action: 'notify', at: '2026-11-27T03:00:00Z' } });
      assert.equal(mails.length, 2);
      assert.deepEqual(mails[0]!.to, ['finops@example.com']);
      assert.equal(mails[0]!.from, 'costrail@example.com');
      assert.match(mails[0]!.data, /Subject: \[Costrail\] Alert: spend velocity on team search \(critical\)/);
      assert.match(mails[0]!.data, /key_id k-9 \$40\.10/);
      assert.match(mails[1]!.data, /Budget "search monthly" \(team search\) has used 80\.00 of 100\.00 USD \(80% threshold\)/);
    });
  });

  it('routes by scope, severity and kind', () => {
    const m = renderEvent({ type: 'alert.opened', alert: alert({ scope: { team: 'search', model: 'o3' }, severity: 'warning' }) });
    assert.equal(channelWants({ type: 'slack', url: 'http://x' }, m), true);
    assert.equal(channelWants({ type: 'slack', url: 'http://x', scope: { team: 'search' } }, m), true);
    assert.equal(channelWants({ type: 'slack', url: 'http://x', scope: { team: 'support' } }, m), false);
    assert.equal(channelWants({ type: 'slack', url: 'http://x', min_severity: 'critical' }, m), false);
    assert.equal(channelWants({ type: 'slack', url: 'http://x', kinds: ['budget_threshold'] }, m), false);
    const info = renderEvent({ type: 'alert.opened', alert: alert({ kind: 'new_source', severity: 'info' }) });
    assert.equal(channelWants({ type: 'slack', url: 'http://x' }, info), false, 'info stays out by default');
  });
});
