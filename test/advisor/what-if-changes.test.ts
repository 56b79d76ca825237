/** The what-if change grammar: each kind re-prices the synthetic month exactly as a hand re-pricing does. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChangeSyntaxError, parseChange } from '../../src/advisor/what-if-changes.js';
import { simulateWhatIf, WhatIfError } from '../../src/advisor/what-if.js';
import { ADVISOR_FROM, ADVISOR_TO, advisorBook, advisorLedger } from './advisor-fixtures.js';

const whatIf = (...changes: string[]) =>
  simulateWhatIf({ from: ADVISOR_FROM, to: ADVISOR_TO, book: advisorBook(), records: [advisorLedger()], changes: { moves: [], batch: false, steps: changes.map(parseChange) } });

// Before any change (gpt-4o at 10/40 per MTok): triage 10 x (500 x 10 + 20 x 40)/MTok = 0.058,
// support 10 x (3,000 x 10 + 400 x 40)/MTok = 0.46, summaries 0.56; 1.078 in all.
const feature = (r: Awaited<ReturnType<typeof whatIf>>, f: string) => r.by_feature.find((l) => l.feature === f)!;

describe('what-if change grammar', () => {
  it('parses each kind, with its condition', () => {
    assert.deepEqual(parseChange('model:gpt-4o->gpt-4o-mini where feature=triage'), { kind: 'model', from: 'gpt-4o', to: 'gpt-4o-mini', where: { field: 'feature', value: 'triage' }, text: 'model:gpt-4o->gpt-4o-mini where feature=triage' });
    assert.deepEqual(parseChange('batch  where priority=background'), { kind: 'batch', where: { field: 'priority', value: 'background' }, text: 'batch where priority=background' });
    assert.deepEqual(parseChange('cache prefix'), { kind: 'cache', text: 'cache prefix' });
    assert.deepEqual(parseChange('cache prefix hit=0.6 where team=core'), { kind: 'cache', hit: '0.6', where: { field: 'team', value: 'core' }, text: 'cache prefix hit=0.6 where team=core' });
    assert.deepEqual(parseChange('price provider=anthropic -12%'), { kind: 'price', percent: '-12', where: { field: 'provider', value: 'anthropic' }, text: 'price provider=anthropic -12%' });
    assert.deepEqual(parseChange('price +5%'), { kind: 'price', percent: '5', text: 'price +5%' });
  });

  it('names the bad part of a change', () => {
    for (const [text, part] of [
      ['model:gpt-4o=>gpt-4o-mini', /"model:gpt-4o=>gpt-4o-mini" is not model:FROM->TO/],
      ['model:a->b where colour=red', /unknown field "colour"/],
      ['model:a->b where', /"where" needs a condition/],
      ['batch now', /unexpected "now" after batch/],
      ['cache prefix hit=2', /hit "2" is not a share/],
      ['cache everything', /"cache everything" is not "cache prefix/],
      ['price provider=anthropic 12', /"12" is not a signed percentage/],
      ['price provider=anthropic -120%', /more than 100%/],
      ['discount 10%', /"discount" is not a change/],
      ['', /empty/],
    ] as const) assert.throws(() => parseChange(text), (e: unknown) => e instanceof ChangeSyntaxError && part.test(e.message), text);
  });

  it('model change: only the named model\'s calls in the scope move, priced exactly', async () => {
    const r = await whatIf('model:gpt-4o->gpt-4o-mini where feature=triage');
    // triage on mini: 10 x (500 x 1 + 20 x 4)/MTok = 0.0058.
    assert.deepEqual(feature(r, 'triage'), { feature: 'triage', calls: 10, before: '0.058', after: '0.0058', savings: '0.0522' });
    assert.equal(r.total.after, '1.0258');
    assert.deepEqual(r.applied, ['model:gpt-4o->gpt-4o-mini where feature=triage']);
    // Nothing runs on gpt-4o-mini yet: moving "from" it changes nothing.
    assert.equal((await whatIf('model:gpt-4o-mini->gpt-4o')).total.savings, '0');
  });

  it('batch where priority=background halves only the background calls', async () => {
    const r = await whatIf('batch where priority=background');
    assert.equal(feature(r, 'triage').after, '0.029');
    assert.equal(feature(r, 'support').after, '0.46');
    assert.equal(r.total.after, '1.049');
  });

  it('cache prefix: the first call of each long-prompt group writes, the rest read', async () => {
    const r = await whatIf('cache prefix');
    // support: 1 write (3,000 x 12.5 + 400 x 40)/MTok = 0.0535, 9 reads (3,000 x 1 + 400 x 40)/MTok = 0.019 each.
    assert.deepEqual(feature(r, 'support'), { feature: 'support', calls: 10, before: '0.46', after: '0.2245', savings: '0.2355' });
    assert.equal(r.total.savings, '0.2355');
  });

  it('price provider=openai -12% scales every openai call by 0.88, exactly', async () => {
    const r = await whatIf('price provider=openai -12%');
    assert.equal(r.total.after, '0.94864');
    assert.deepEqual(r.by_day.map((d) => d.after), ['0.05104', '0.4048', '0.1848', '0.308']);
    assert.equal((await whatIf('price provider=anthropic -12%')).total.savings, '0');
  });

  it('stacks changes in order', async () => {
    // Mini for triage, then 12% off: (1.078 - 0.0522) x 0.88.
    assert.equal((await whatIf('model:gpt-4o->gpt-4o-mini where feature=triage', 'price provider=openai -12%')).total.after, '0.902704');
    // Batch the background calls, then move triage: 0.0058 / 2 + 0.46 + 0.56.
    const r = await whatIf('batch where priority=background', 'model:gpt-4o->gpt-4o-mini where feature=triage');
    assert.equal(r.total.after, '1.0229');
    assert.deepEqual(r.applied, ['batch where priority=background', 'model:gpt-4o->gpt-4o-mini where feature=triage']);
    // A condition sees earlier changes: after the move, "where model=gpt-4o-mini" finds triage.
    assert.equal(feature(await whatIf('model:gpt-4o->gpt-4o-mini where feature=triage', 'batch where model=gpt-4o-mini'), 'triage').after, '0.0029');
  });

  it('refuses a target model the price book cannot price', async () => {
    await assert.rejects(whatIf('model:gpt-4o->gpt-9-ultra where feature=triage'), (e: unknown) => e instanceof WhatIfError && /gpt-9-ultra/.test(e.message));
  });
});
