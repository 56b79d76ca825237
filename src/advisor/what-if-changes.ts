/**
 * The what-if change grammar (`--change` / `?change=`), one change per string:
 *   model:A->B [where FIELD=VALUE]       calls on model A (matching the condition) re-priced on B
 *   batch [where FIELD=VALUE]            matching calls through the provider's batch API
 *   cache prefix [hit=SHARE] [where …]   matching calls read their stable prefix from a prompt cache
 *   price [FIELD=VALUE] ±N%              matching calls' prices scaled by (1 ± N/100)
 * Errors name the part that did not parse, so the caller can fix that part alone.
 */
import { Decimal } from '../pricing/decimal.js';

export const CHANGE_FIELDS = ['feature', 'team', 'priority', 'provider', 'model', 'prompt_version'] as const;
export type ChangeField = (typeof CHANGE_FIELDS)[number];

export interface ChangeCondition {
  field: ChangeField;
  value: string;
}

export type WhatIfChange =
  | { kind: 'model'; from: string; to: string; where?: ChangeCondition; text: string }
  | { kind: 'batch'; where?: ChangeCondition; text: string }
  /** hit absent: the earliest call of each prefix group writes, every later one reads. */
  | { kind: 'cache'; hit?: string; where?: ChangeCondition; text: string }
  | { kind: 'price'; percent: string; where?: ChangeCondition; text: string };

export class ChangeSyntaxError extends Error {
  override readonly name = 'ChangeSyntaxError';
}

const NAME = String.raw`[A-Za-z0-9][A-Za-z0-9._:/@+-]*`;

function condition(part: string, text: string): ChangeCondition {
  const m = new RegExp(String.raw`^([a-z_]+)=(\S+)$`).exec(part);
  if (!m) throw new ChangeSyntaxError(`change "${text}": "${part}" is not a condition FIELD=VALUE`);
  const field = m[1]!;
  if (!(CHANGE_FIELDS as readonly string[]).includes(field)) throw new ChangeSyntaxError(`change "${text}": unknown field "${field}" (fields: ${CHANGE_FIELDS.join(', ')})`);
  return { field: field as ChangeField, value: m[2]! };
}

/** Splits off a trailing `where FIELD=VALUE`. */
function splitWhere(body: string, text: string): { head: string; where?: ChangeCondition } {
  const i = body.search(/\swhere(\s|$)/);
  if (i < 0) return { head: body.trim() };
  const cond = body.slice(i).trim().slice('where'.length).trim();
  if (cond === '') throw new ChangeSyntaxError(`change "${text}": "where" needs a condition FIELD=VALUE`);
  return { head: body.slice(0, i).trim(), where: condition(cond, text) };
}

export function parseChange(raw: string): WhatIfChange {
  const text = raw.trim().replace(/\s+/g, ' ');
  if (text === '') throw new ChangeSyntaxError('a change is empty: write e.g. "model:gpt-4o->gpt-4o-mini where feature=triage"');
  if (text.length > 300) throw new ChangeSyntaxError('a change is longer than 300 characters');
  const verb = /^[a-z]+/.exec(text)?.[0] ?? '';
  if (verb === 'model') {
    const { head, where } = splitWhere(text, text);
    const m = new RegExp(`^model:(${NAME})->(${NAME})$`).exec(head);
    if (!m) throw new ChangeSyntaxError(`change "${text}": "${head}" is not model:FROM->TO`);
    return { kind: 'model', from: m[1]!, to: m[2]!, ...(where ? { where } : {}), text };
  }
  if (verb === 'batch') {
    const { head, where } = splitWhere(text, text);
    if (head !== 'batch') throw new ChangeSyntaxError(`change "${text}": unexpected "${head.slice(5).trim()}" after batch`);
    return { kind: 'batch', ...(where ? { where } : {}), text };
  }
  if (verb === 'cache') {
    const { head, where } = splitWhere(text, text);
    const m = /^cache prefix(?: hit=(\S+))?$/.exec(head);
    if (!m) throw new ChangeSyntaxError(`change "${text}": "${head}" is not "cache prefix [hit=SHARE]"`);
    if (m[1] !== undefined && !/^(0(\.\d{1,6})?|1(\.0{1,6})?)$/.test(m[1])) throw new ChangeSyntaxError(`change "${text}": hit "${m[1]}" is not a share from 0 to 1`);
    return { kind: 'cache', ...(m[1] !== undefined ? { hit: m[1] } : {}), ...(where ? { where } : {}), text };
  }
  if (verb === 'price') {
    const parts = text.split(' ').slice(1);
    const pct = parts.pop() ?? '';
    const pm = /^([+-]\d{1,3}(?:\.\d{1,4})?)%$/.exec(pct);
    if (!pm) throw new ChangeSyntaxError(`change "${text}": "${pct || '(nothing)'}" is not a signed percentage like -12% or +5%`);
    if (Decimal.parse(pm[1]!).cmp(Decimal.parse('-100')) < 0) throw new ChangeSyntaxError(`change "${text}": a price cannot fall by more than 100%`);
    if (parts.length > 1) throw new ChangeSyntaxError(`change "${text}": "${parts.join(' ')}" is not one condition FIELD=VALUE`);
    const where = parts.length === 1 ? condition(parts[0]!.replace(/^where=/, ''), text) : undefined;
    return { kind: 'price', percent: pm[1]!.replace(/^\+/, ''), ...(where ? { where } : {}), text };
  }
  throw new ChangeSyntaxError(`change "${text}": "${verb || text.split(' ')[0]}" is not a change (model:A->B, batch, cache prefix, price)`);
}
