/**
 * Synthetic traffic for `costrail demo`: several teams, features and customers calling
 * OpenAI-, Anthropic- and Gemini-shaped models through the gateway, streaming and not, with
 * the occasional provider error, so a newcomer sees realistic, attributed spend at once.
 */
import { seededRandom as rng } from '../simulator/seeded-random.js';

interface Caller {
  team: string;
  feature: string;
  provider: 'openai' | 'anthropic' | 'gemini';
  model: string;
  weight: number;
}

const CALLERS: Caller[] = [
  { team: 'search', feature: 'answer', provider: 'openai', model: 'gpt-4o-mini', weight: 30 },
  { team: 'search', feature: 'rerank', provider: 'openai', model: 'gpt-4.1-nano', weight: 10 },
  { team: 'support', feature: 'ticket-summary', provider: 'anthropic', model: 'claude-haiku-4-5', weight: 20 },
  { team: 'support', feature: 'reply-draft', provider: 'anthropic', model: 'claude-sonnet-4-5', weight: 10 },
  { team: 'growth', feature: 'email-personalise', provider: 'gemini', model: 'gemini-2.5-flash', weight: 15 },
  { team: 'platform', feature: 'agent-triage', provider: 'openai', model: 'gpt-4.1', weight: 8 },
  { team: 'research', feature: 'deep-analysis', provider: 'gemini', model: 'gemini-2.5-pro', weight: 5 },
  { team: 'research', feature: 'reasoning-eval', provider: 'openai', model: 'o4-mini', weight: 2 },
];
const CUSTOMERS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark'];
const PROMPTS = ['Summarise this support ticket about a billing error', 'Draft a friendly reply explaining the refund policy in detail', 'Classify the intent of: "my invoice doubled this month"', 'Answer: which plan includes SSO and audit logs?'];


function pick<T extends { weight: number }>(items: T[], r: number): T {
  const total = items.reduce((a, b) => a + b.weight, 0);
  let x = r * total;
  for (const it of items) {
    x -= it.weight;
    if (x <= 0) return it;
  }
  return items[items.length - 1] as T;
}

function requestFor(c: Caller, prompt: string, stream: boolean, gateway: string): { url: string; body: unknown } {
  if (c.provider === 'anthropic') return { url: `${gateway}/v1/messages`, body: { model: c.model, max_tokens: 200, stream, messages: [{ role: 'user', content: prompt }] } };
  if (c.provider === 'gemini') {
    const op = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
    return { url: `${gateway}/v1beta/models/${c.model}:${op}`, body: { contents: [{ role: 'user', parts: [{ text: prompt }] }] } };
  }
  return { url: `${gateway}/v1/chat/completions`, body: { model: c.model, stream, max_tokens: 200, messages: [{ role: 'user', content: prompt }] } };
}

export interface TrafficResult {
  sent: number;
  failed: number;
}

/** Sends `count` calls with at most `concurrency` in flight. Never throws on a failed call. */
export async function sendDemoTraffic(gateway: string, count: number, opts: { concurrency?: number; seed?: number; onProgress?: (done: number) => void } = {}): Promise<TrafficResult> {
  const random = rng(opts.seed ?? 42);
  let next = 0;
  let done = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const c = pick(CALLERS, random());
      const customer = CUSTOMERS[Math.floor(random() * CUSTOMERS.length)] as string;
      const prompt = PROMPTS[Math.floor(random() * PROMPTS.length)] as string;
      const stream = random() < 0.4;
      const { url, body } = requestFor(c, prompt, stream, gateway);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        authorization: 'Bearer sk-demo-key',
        'x-api-key': 'sk-demo-key',
        'anthropic-version': '2023-06-01',
        'x-costrail-team': c.team,
        'x-costrail-feature': c.feature,
        'x-costrail-customer': customer,
        'x-costrail-env': 'prod',
        'x-sim-output-tokens': String(20 + Math.floor(random() * 400)),
      };
      if (random() < 0.3) headers['x-sim-cached-tokens'] = '512';
      if (random() < 0.02) headers['x-sim-status'] = '429';
      try {
        const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
        await res.arrayBuffer();
        if (!res.ok) failed++;
      } catch {
        failed++;
      }
      done++;
      opts.onProgress?.(done);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  return { sent: done, failed };
}
