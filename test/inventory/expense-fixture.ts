/**
 * A deterministic month of company-card lines (November 2026): mostly ordinary spend (travel,
 * meals, SaaS, cloud), some AI subscriptions and API credits, a few AI-looking unknowns and
 * app-store charges. Returns the CSV and what the import must find, counted as it is generated.
 */
const ORDINARY = ['UBER *TRIP HELP.UBER.COM', 'DELTA AIR 0062341234', 'STARBUCKS #10234 SEATTLE WA', 'AMAZON MKTPL*RT4Y21', 'SLACK T0123ABCD', 'ZOOM.US 888-799-9666', 'GITHUB, INC.', 'MARRIOTT SF DOWNTOWN', 'LYFT *RIDE TUE 7PM', 'DOORDASH*SWEETGREEN', 'WEWORK 4521', 'DROPBOX*8JH2K', 'ATLASSIAN SYDNEY', 'AWS EMEA', 'FEDEX 8233412', 'HILTON GARDEN INN', 'TST* BLUE BOTTLE COFFEE', 'SQ *CORNER BAKERY', 'LINKEDIN PRE 7722', 'ADOBE *CREATIVE CLD'];
/** [descriptor, vendor, monthly USD amount] — each line matched by the built-in catalog. */
const AI = [
  ['OPENAI *CHATGPT SUBSCR', 'OpenAI', '20.00'],
  ['ANTHROPIC*PRO', 'Anthropic', '20.00'],
  ['PADDLE.NET* CURSOR', 'Anysphere', '20.00'],
  ['MIDJOURNEY INC.', 'Midjourney', '30.00'],
  ['OTTER.AI', 'Otter.ai', '16.99'],
] as const;
const SHARED = ['AWS EMEA', 'ZOOM.US 888-799-9666', 'GITHUB, INC.', 'ADOBE *CREATIVE CLD'];
const UNKNOWN_AI = ['ACME NEURAL LABS', 'GPTZERO HELPER', 'SP * WRITERLY AI'];
const TEAMS = ['sales', 'engineering', 'marketing', 'finance', 'support'];

export interface ExpenseFixture {
  csv: string;
  rows: number;
  ai: Record<string, { lines: number; usd: string }>;
  review: number;
  ignored: number;
  shared: number;
}

/** Cents as an exact decimal string. */
const dollars = (cents: number): string => `${Math.trunc(cents / 100)}.${String(Math.abs(cents % 100)).padStart(2, '0')}`;

export function expenseFixture(rows = 3000, seed = 7): ExpenseFixture {
  let state = seed >>> 0;
  const rand = (): number => {
    // mulberry32: a small deterministic generator, so the fixture is the same on every run.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const out = ['Transaction Date,Merchant,Amount,Currency,Cardholder,Department,Memo'];
  const ai: ExpenseFixture['ai'] = {};
  let review = 0;
  let ignored = 0;
  let shared = 0;
  for (let i = 0; i < rows; i++) {
    const day = `2026-11-${String(1 + Math.floor(rand() * 30)).padStart(2, '0')}`;
    const team = pick(TEAMS);
    const who = `emp${Math.floor(rand() * 400)}@example.com`;
    const r = rand();
    if (r < 0.06) {
      const [desc, vendor, amount] = pick(AI);
      const cur = ai[vendor] ?? { lines: 0, usd: '0' };
      const cents = Math.round(Number(cur.usd) * 100) + Math.round(Number(amount) * 100);
      ai[vendor] = { lines: cur.lines + 1, usd: dollars(cents) };
      out.push(`${day},"${desc}",${amount},USD,${who},${team},monthly plan`);
    } else if (r < 0.07) {
      review++;
      out.push(`${day},"${pick(UNKNOWN_AI)}",${(10 + Math.floor(rand() * 90)).toFixed(2)},USD,${who},${team},`);
    } else {
      const desc = pick(ORDINARY);
      // Cloud, code-host, design and video-call bills where AI is at most an add-on are named by
      // the catalog but not counted from the card (shared bills); everything else is plain spend.
      ignored++;
      if (SHARED.includes(desc)) shared++;
      const cents = 100 + Math.floor(rand() * 250000);
      out.push(`${day},"${desc}","${Number(dollars(cents)).toLocaleString('en-US', { minimumFractionDigits: 2 })}",USD,${who},${team},"client visit, ${i}"`);
    }
  }
  return { csv: out.join('\r\n') + '\r\n', rows, ai, review, ignored, shared };
}
