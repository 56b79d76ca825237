/** How a descriptor is decided, against the shipped catalog (data/ai-vendors.csv). */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DescriptorMatcher } from '../../src/inventory/descriptor-matcher.js';
import { loadVendorCatalog, parsePattern } from '../../src/inventory/vendor-catalog.js';

describe('descriptor matcher', () => {
  let m: DescriptorMatcher;
  before(async () => {
    m = new DescriptorMatcher(await loadVendorCatalog(), [{ pattern: 'openai *chatgpt', vendor: 'OpenAI', product: 'ChatGPT Enterprise (ours)', category: 'chat_assistant' }]);
  });

  it('the catalog has all 168 rows and cleans patterns of tags, notes and placeholders', async () => {
    assert.equal((await loadVendorCatalog()).length, 168);
    assert.deepEqual(parsePattern('GOOGLE *CLOUD_<billing-account-id> [reported]'), { text: 'GOOGLE *CLOUD', key: 'GOOGLE*CLOUD'.replace('*', ''), inferred: false });
    assert.deepEqual(parsePattern('APPLE.COM/BILL (iOS in-app) [inferred]'), { text: 'APPLE.COM/BILL', key: 'APPLE.COM/BILL', inferred: true });
  });

  it('the longest catalog pattern wins, spacing and case do not matter, and inferred matches say so', () => {
    const a = m.match('anthropic*claude  san francisco');
    assert.deepEqual(a.kind === 'matched' && [a.vendor, a.category, a.pattern, a.method], ['Anthropic', 'chat_assistant', 'ANTHROPIC*CLAUDE', 'catalog']);
    const c = m.match('PADDLE.NET* CURSOR');
    assert.deepEqual(c.kind === 'matched' && [c.vendor, c.category, c.pattern], ['Anysphere', 'coding_assistant', 'CURSOR [inferred]']);
  });

  it('user rules win over the catalog', () => {
    const r = m.match('OPENAI*CHATGPT SUBSCR');
    assert.deepEqual(r.kind === 'matched' && [r.method, r.product], ['rule', 'ChatGPT Enterprise (ours)']);
  });

  it('short patterns must end on a word; shared wrappers go to review; whole cloud bills are not counted', () => {
    assert.deepEqual(m.match('SP * WRITERLY AI'), { kind: 'review', pattern: null, candidates: [] });
    const apple = m.match('APPLE.COM/BILL 866-712-7753');
    assert.ok(apple.kind === 'review' && apple.candidates.includes('OpenAI') && apple.candidates.includes('Anthropic'));
    assert.deepEqual(m.match('GOOGLE *CLOUD_01AB23'), { kind: 'ignored', shared: 'GOOGLE *CLOUD' });
    assert.deepEqual(m.match('STARBUCKS #10234'), { kind: 'ignored' });
  });
});
