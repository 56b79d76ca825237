#!/usr/bin/env node
/**
 * Writes the "every door" fixture of issue 19 into test/fixtures/inventory/ — a realistic month
 * (November 2026) of one company's finance and infrastructure exports — deterministically (a seeded
 * generator: the same files on every run; the outputs are committed, and
 * test/inventory/every-door-fixture.test.ts checks the figures they must produce):
 *
 *   card-2026-11.csv          company-card transactions: ~2,800 lines, mostly travel, meals, SaaS and
 *                             cloud bills, a few AI-looking unknowns for the review queue, and the
 *                             planted AI lines below
 *   expenses-2026-11.csv      expense reports (EUR and GBP lines carry their own USD amount)
 *   seats-chatgpt.csv         ChatGPT Enterprise seat list (12 seats, 3 idle)
 *   seats-coding.csv          Cursor (10 seats, 2 idle) and GitHub Copilot (6 seats, 1 idle) seats;
 *                             3 people hold both
 *   gpu-usage-2026-11.csv     daily GPU hours, busy hours and tokens of two self-hosted models
 *   vllm-qwen3-32b.prom       31 daily scrapes of a vLLM server's /metrics, the counters reset by a
 *                             restart before the Nov 15 scrape
 *
 * The planted AI lines (everything else is not AI, or AI-looking but unknown):
 *   card: ChatGPT Plus $20 × 6 people (ana and ben hold ChatGPT Enterprise seats), OpenAI API credits
 *         $500, Cursor Teams $400 paid by dana (the plan's owner), Midjourney $30 × 2, Jasper $49 × 2
 *         and Copy.ai $36 in marketing, a RunPod top-up $500, Otter.ai $16.99
 *   expenses: Cursor $20 × 3 (ivy holds a Cursor seat), Claude Pro €18 = $19.44 (cara, marketing),
 *         Otter.ai £15 = $19.05
 *
 * Run: node scripts/inventory-fixture.mjs
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'inventory');
const DOMAIN = 'acme.example';

let state = 20261101;
/** mulberry32: small, seeded, the same sequence everywhere. */
function rand() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const day = (d) => `2026-11-${String(d).padStart(2, '0')}`;
const cents = (lo, hi) => (int(lo * 100, hi * 100) / 100).toFixed(2);
const csvCell = (v) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
const row = (cells) => cells.map(csvCell).join(',');

const DEPARTMENTS = ['engineering', 'sales', 'marketing', 'design', 'finance', 'support', 'data', 'people'];
const FIRST = ['alex', 'blair', 'casey', 'drew', 'emery', 'finley', 'gray', 'harper', 'indy', 'jordan', 'kai', 'logan', 'morgan', 'noel', 'oakley', 'parker', 'quinn', 'reese', 'rowan', 'sage', 'taylor', 'val', 'wren', 'yael'];
const LAST = ['adams', 'brown', 'chen', 'diaz', 'evans', 'fox', 'garcia', 'hughes', 'ito', 'jones', 'khan', 'lopez', 'meyer', 'ng', 'okafor', 'patel', 'rossi', 'silva', 'tanaka', 'weber'];
const people = [];
for (let i = 0; i < 160; i++) people.push({ email: `${pick(FIRST)}.${pick(LAST)}${i}@${DOMAIN}`, dept: pick(DEPARTMENTS) });

/** Ordinary card spend: [descriptor maker, low $, high $, memo]. None of it is AI. */
const ORDINARY = [
  [() => `UBER *TRIP HELP.UBER.COM`, 9, 64, 'client visit'],
  [() => `LYFT *RIDE ${pick(['MON', 'TUE', 'WED', 'THU', 'FRI'])} ${int(6, 11)}PM`, 8, 48, ''],
  [() => `DELTA AIR ${String(int(1000000000, 9999999999))}`, 189, 1240, 'conference travel'],
  [() => `UNITED ${String(int(1000000, 9999999))}`, 160, 980, 'customer onsite'],
  [() => `MARRIOTT ${pick(['SF DOWNTOWN', 'BOSTON COPLEY', 'AUSTIN', 'NYC TIMES SQ'])}`, 210, 890, 'hotel'],
  [() => `HILTON GARDEN INN ${pick(['SEATTLE', 'DENVER', 'CHICAGO'])}`, 160, 520, 'hotel'],
  [() => `AIRBNB * HM${pick(['Q2', 'X7', 'TT', 'K9'])}${int(10, 99)}`, 180, 1400, 'offsite lodging'],
  [() => `STARBUCKS #${int(10000, 99999)} ${pick(['SEATTLE WA', 'SAN FRANCISCO CA', 'NEW YORK NY'])}`, 4, 38, ''],
  [() => `TST* BLUE BOTTLE COFFEE`, 5, 42, ''],
  [() => `SQ *${pick(['CORNER BAKERY', 'TACO TRUCK 44', 'FARMERS MKT', 'JUICE BAR'])}`, 6, 60, 'team lunch'],
  [() => `DOORDASH*${pick(['SWEETGREEN', 'CHIPOTLE', 'SHAKE SHACK', 'PANDA EXPRESS'])}`, 14, 180, 'late night deploy dinner'],
  [() => `CHIPOTLE ${int(1000, 3999)}`, 10, 95, ''],
  [() => `AMAZON MKTPL*${['R', 'T', 'Z'][int(0, 2)]}${int(1000, 9999)}${pick(['AB', 'Q1', 'X3'])}`, 12, 420, 'office supplies'],
  [() => `OFFICE DEPOT #${int(100, 999)}`, 18, 260, 'office supplies'],
  [() => `COSTCO WHSE #${String(int(100, 1200)).padStart(4, '0')}`, 40, 640, 'kitchen restock'],
  [() => `SHELL OIL ${int(1000000, 9999999)}`, 30, 95, 'rental car fuel'],
  [() => `WEWORK ${int(1000, 9999)}`, 45, 890, 'coworking day pass'],
  [() => `FEDEX ${int(1000000, 9999999)}`, 12, 210, 'hardware return'],
  [() => `LINKEDIN PRE ${int(1000, 9999)}`, 59, 835, 'recruiter seat'],
  [() => `SLACK T0${int(100000, 999999)}`, 8.75, 1250, 'workspace'],
  [() => `DROPBOX*${pick(['8JH2K', 'Q0PLM', 'ZZ81A'])}`, 15, 240, ''],
  [() => `ATLASSIAN ${pick(['SYDNEY', 'SAN FRANCISCO'])}`, 10, 1480, 'Jira / Confluence'],
  [() => `DOCUSIGN INC`, 25, 480, 'contracts'],
  [() => `FIGMA`, 15, 900, 'design seats'],
  [() => `CALENDLY`, 10, 160, ''],
  [() => `LOOM.COM`, 12, 300, ''],
  [() => `SENTRY`, 26, 890, 'error tracking'],
  [() => `TWILIO SENDGRID`, 20, 750, 'transactional email'],
  [() => `MAILCHIMP`, 13, 350, 'newsletter'],
  [() => `HEROKU`, 7, 500, 'staging dynos'],
  [() => `HUBSPOT`, 45, 3200, 'marketing hub'],
  // Whole cloud / code-host / video bills the catalog names: not counted from the card.
  [() => `AWS EMEA`, 120, 9800, 'cloud'],
  [() => `ZOOM.US 888-799-9666`, 15, 520, ''],
  [() => `GITHUB, INC.`, 4, 2100, 'org plan'],
  [() => `ADOBE *CREATIVE CLD`, 55, 960, ''],
];
const UNKNOWN_AI = ['ACME NEURAL LABS', 'GPTZERO HELPER', 'SP * WRITERLY AI'];

const p = (name) => `${name}@${DOMAIN}`;
/** [day, descriptor, amount, cardholder, department, memo] — the planted AI card lines. */
const CARD_PLANTS = [
  [2, 'OPENAI *CHATGPT SUBSCR', '20.00', p('ana'), 'sales', 'ChatGPT Plus'],
  [4, 'OPENAI *CHATGPT SUBSCR', '20.00', p('ben'), 'sales', 'ChatGPT Plus'],
  [6, 'OPENAI *CHATGPT SUBSCR', '20.00', p('cara'), 'marketing', 'ChatGPT Plus'],
  [8, 'OPENAI *CHATGPT SUBSCR', '20.00', p('dev'), 'engineering', 'ChatGPT Plus'],
  [9, 'OPENAI *CHATGPT SUBSCR', '20.00', p('eli'), 'support', 'ChatGPT Plus'],
  [12, 'OPENAI *CHATGPT SUBSCR', '20.00', p('fay'), 'finance', 'ChatGPT Plus'],
  [1, 'OPENAI', '500.00', p('ops'), 'data', 'API credits top-up'],
  [3, 'CURSOR USAGE', '400.00', p('dana'), 'engineering', 'Cursor Teams - 10 seats'],
  [5, 'MIDJOURNEY INC.', '30.00', p('gil'), 'design', 'moodboards'],
  [7, 'MIDJOURNEY INC.', '30.00', p('hana'), 'design', ''],
  [10, 'JASPER.AI', '49.00', p('kim'), 'marketing', 'blog drafts'],
  [11, 'COPY.AI', '36.00', p('lee'), 'marketing', 'ad copy'],
  [13, 'JASPER.AI', '49.00', p('mo'), 'marketing', ''],
  [14, 'RUNPOD', '500.00', p('ops'), 'data', 'GPU balance top-up'],
  [15, 'OTTER.AI', '16.99', p('ana'), 'sales', 'call notes'],
];
/** [day, descriptor, amount, currency, amount_usd, employee, cost centre, purpose] — planted expense lines. */
const EXPENSE_PLANTS = [
  [6, 'CURSOR AI POWERED IDE', '20.00', 'USD', '', p('gus'), 'engineering', 'Cursor Pro'],
  [7, 'CURSOR AI POWERED IDE', '20.00', 'USD', '', p('hal'), 'engineering', 'Cursor Pro'],
  [8, 'CURSOR AI POWERED IDE', '20.00', 'USD', '', p('ivy'), 'engineering', 'Cursor Pro'],
  [20, 'ANTHROPIC*PRO', '18.00', 'EUR', '19.44', p('cara'), 'marketing', 'Claude Pro'],
  [21, 'OTTER.AI', '15.00', 'GBP', '19.05', p('jo'), 'sales', 'Otter Pro'],
];

function card() {
  const lines = [row(['Transaction Date', 'Merchant', 'Amount', 'Currency', 'Cardholder', 'Department', 'Memo'])];
  const body = [];
  for (let i = 0; i < 2780; i++) {
    const who = pick(people);
    const r = rand();
    if (r < 0.006) {
      body.push([int(1, 30), pick(UNKNOWN_AI), cents(9, 99), 'USD', who.email, who.dept, '']);
      continue;
    }
    const [descriptor, lo, hi, memo] = pick(ORDINARY);
    body.push([int(1, 30), descriptor(), cents(lo, hi), 'USD', who.email, who.dept, memo]);
  }
  for (const [d, desc, amount, holder, dept, memo] of CARD_PLANTS) body.splice(int(0, body.length), 0, [d, desc, amount, 'USD', holder, dept, memo]);
  body.sort((a, b) => a[0] - b[0]);
  for (const b of body) lines.push(row([day(b[0]), ...b.slice(1)]));
  return lines.join('\n') + '\n';
}

function expenses() {
  const lines = [row(['Expense Date', 'Merchant', 'Expense Amount', 'Currency', 'Amount (USD)', 'Employee Email', 'Cost Center', 'Business Purpose'])];
  const body = [];
  const meals = ['DOORDASH*SWEETGREEN', 'CHIPOTLE 1827', 'TST* BLUE BOTTLE COFFEE', 'SQ *CORNER BAKERY', 'STARBUCKS #10234 SEATTLE WA'];
  const travel = ['UBER *TRIP HELP.UBER.COM', 'LYFT *RIDE TUE 7PM', 'SHELL OIL 5744', 'HILTON GARDEN INN DENVER', 'DELTA AIR 0062341234'];
  for (let i = 0; i < 380; i++) {
    const who = pick(people);
    const abroad = rand() < 0.1;
    const amount = cents(6, abroad ? 240 : 420);
    const [cur, rate] = abroad ? pick([['EUR', 1.08], ['GBP', 1.27]]) : ['USD', 1];
    const usd = cur === 'USD' ? '' : (Math.round(Number(amount) * rate * 100) / 100).toFixed(2);
    body.push([int(1, 30), rand() < 0.5 ? pick(meals) : pick(travel), amount, cur, usd, who.email, who.dept, rand() < 0.5 ? 'customer meeting' : 'travel']);
  }
  for (const [d, ...rest] of EXPENSE_PLANTS) body.splice(int(0, body.length), 0, [d, ...rest]);
  body.sort((a, b) => a[0] - b[0]);
  for (const b of body) lines.push(row([day(b[0]), ...b.slice(1)]));
  return lines.join('\n') + '\n';
}

function seatsChatgpt() {
  const lines = [row(['Vendor', 'Plan', 'Email', 'Team', 'Last Active'])];
  const active = ['ana', 'ben', 'ola', 'pat', 'quinn', 'rae', 'sam', 'tia', 'uma'];
  active.forEach((n, i) => lines.push(row(['ChatGPT', 'ChatGPT Enterprise', p(n), i < 2 ? 'sales' : 'product', `2026-11-${String(10 + i).padStart(2, '0')}T15:04:00Z`])));
  lines.push(row(['ChatGPT', 'ChatGPT Enterprise', p('vic'), 'product', '2026-09-30']));
  lines.push(row(['ChatGPT', 'ChatGPT Enterprise', p('wes'), 'legal', 'never']));
  lines.push(row(['ChatGPT', 'ChatGPT Enterprise', p('xena'), 'legal', '2026-10-15T09:00:00Z']));
  return lines.join('\n') + '\n';
}

function seatsCoding() {
  const lines = [row(['Tool', 'Plan', 'User Email', 'Department', 'Last Login'])];
  for (const n of ['dana', 'ivy', 'jay', 'ken', 'liam', 'max', 'pia', 'raj']) lines.push(row(['Cursor', 'Cursor Teams', p(n), 'engineering', `2026-11-${String(int(16, 29)).padStart(2, '0')}`]));
  lines.push(row(['Cursor', 'Cursor Teams', p('ned'), 'engineering', '2026-10-02']));
  lines.push(row(['Cursor', 'Cursor Teams', p('oli'), 'engineering', '']));
  for (const n of ['jay', 'ken', 'liam', 'sol', 'tom']) lines.push(row(['GitHub Copilot', 'Copilot Business', p(n), 'engineering', `2026-11-${String(int(16, 29)).padStart(2, '0')}`]));
  lines.push(row(['GitHub Copilot', 'Copilot Business', p('una'), 'engineering', '2026-10-20']));
  return lines.join('\n') + '\n';
}

function gpuUsage() {
  const lines = [row(['day', 'instance_type', 'gpu_hours', 'busy_hours', 'hourly_usd', 'model', 'input_tokens', 'output_tokens', 'team', 'vendor'])];
  for (let d = 1; d <= 30; d++) {
    // 4 × H100 at $4.25/GPU-hour serving Llama 3.1 70B; busy 60–84 of 96 hours.
    lines.push(row([day(d), 'H100-80GB', '96', String(60 + (d % 5) * 6), '4.25', 'meta-llama/Llama-3.1-70B-Instruct', String(150_000_000 + d * 1_000_000), String(30_000_000 + d * 200_000), 'search', 'CoreWeave']));
    // 1 × L40S at $0.86 serving Llama 3.1 8B; busy 10–12 of 24 hours.
    lines.push(row([day(d), 'L40S', '24', String(10 + (d % 3)), '0.86', 'meta-llama/Llama-3.1-8B-Instruct', '80000000', '20000000', 'support', 'RunPod']));
  }
  return lines.join('\n') + '\n';
}

function vllmScrapes() {
  const model = 'Qwen/Qwen3-32B';
  const out = [];
  let input = 5_000_000_000;
  let output = 1_000_000_000;
  let requests = 2_100_000;
  for (let d = 1; d <= 31; d++) {
    const at = d <= 30 ? `2026-11-${String(d).padStart(2, '0')}T00:00:00Z` : '2026-12-01T00:00:00Z';
    if (d > 1) {
      if (d === 15) {
        // Restarted on the 14th: the counters began again at zero, 10M / 2M served since.
        input = 10_000_000;
        output = 2_000_000;
        requests = 4_000;
      } else {
        input += 40_000_000;
        output += 8_000_000;
        requests += 16_000;
      }
    }
    const f = (n) => `${n}.0`;
    out.push(
      `# scraped_at ${at}`,
      '# HELP vllm:num_requests_running Number of requests in model execution batches.',
      '# TYPE vllm:num_requests_running gauge',
      `vllm:num_requests_running{engine="0",model_name="${model}"} ${f(int(0, 24))}`,
      '# HELP vllm:gpu_cache_usage_perc GPU KV-cache usage. 1 means 100 percent usage.',
      '# TYPE vllm:gpu_cache_usage_perc gauge',
      `vllm:gpu_cache_usage_perc{engine="0",model_name="${model}"} ${(rand() * 0.9).toFixed(4)}`,
      '# HELP vllm:prompt_tokens_total Number of prefill tokens processed.',
      '# TYPE vllm:prompt_tokens_total counter',
      `vllm:prompt_tokens_total{engine="0",model_name="${model}"} ${f(input)}`,
      '# HELP vllm:generation_tokens_total Number of generation tokens processed.',
      '# TYPE vllm:generation_tokens_total counter',
      `vllm:generation_tokens_total{engine="0",model_name="${model}"} ${f(output)}`,
      '# HELP vllm:request_success_total Count of successfully processed requests.',
      '# TYPE vllm:request_success_total counter',
      `vllm:request_success_total{engine="0",finished_reason="stop",model_name="${model}"} ${f(requests)}`,
      '# HELP vllm:e2e_request_latency_seconds Histogram of e2e request latency in seconds.',
      '# TYPE vllm:e2e_request_latency_seconds histogram',
      `vllm:e2e_request_latency_seconds_sum{engine="0",model_name="${model}"} ${(requests * 2.7).toFixed(1)}`,
      `vllm:e2e_request_latency_seconds_bucket{engine="0",le="1.0",model_name="${model}"} ${f(Math.floor(requests * 0.3))}`,
      `vllm:e2e_request_latency_seconds_bucket{engine="0",le="+Inf",model_name="${model}"} ${f(requests)}`,
      `vllm:e2e_request_latency_seconds_count{engine="0",model_name="${model}"} ${f(requests)}`,
      '',
    );
  }
  return out.join('\n');
}

fs.mkdirSync(OUT, { recursive: true });
const files = {
  'card-2026-11.csv': card(),
  'expenses-2026-11.csv': expenses(),
  'seats-chatgpt.csv': seatsChatgpt(),
  'seats-coding.csv': seatsCoding(),
  'gpu-usage-2026-11.csv': gpuUsage(),
  'vllm-qwen3-32b.prom': vllmScrapes(),
};
for (const [name, text] of Object.entries(files)) {
  fs.writeFileSync(path.join(OUT, name), text);
  console.log(`${name}: ${text.split('\n').length - 1} lines`);
}
