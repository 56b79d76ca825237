/**
 * Which rules apply to a call, in time independent of how many rules exist. Rules are grouped by
 * the set of fields their scope names (its shape: `{team}`, `{team, model}`, `{}`…); each shape
 * keeps a map from the joined field values to its rules. A call is matched by building one key
 * per shape and looking it up, so the cost grows with the number of distinct shapes (a handful),
 * not with the number of budgets.
 */
import type { Attribution } from '../ledger/ledger-record.js';
import type { Scope } from './policy-schemas.js';

/** What a scope is matched against: the call's attribution, tags, provider, requested model, key. */
export interface ScopeSubject {
  attribution: Attribution;
  tags: Record<string, string>;
  provider: string;
  model: string | null;
  key_id: string | null;
}

type Getter = (s: ScopeSubject) => string | null | undefined;

function getterFor(field: string): Getter {
  if (field === 'provider') return (s) => s.provider;
  if (field === 'model') return (s) => s.model;
  if (field === 'key_id') return (s) => s.key_id;
  if (field.startsWith('tag:')) {
    const name = field.slice(4);
    return (s) => s.tags[name];
  }
  const f = field as keyof Attribution;
  return (s) => s.attribution[f];
}

interface Shape<T> {
  getters: Getter[];
  byKey: Map<string, T[]>;
}

const SEP = '\u0000';

export class ScopeIndex<T> {
  private readonly shapes: Shape<T>[] = [];
  readonly size: number;

  constructor(entries: Iterable<{ scope: Scope; value: T }>) {
    const byShape = new Map<string, Shape<T>>();
    let n = 0;
    for (const { scope, value } of entries) {
      const fields = Object.keys(scope).sort();
      const shapeKey = fields.join(SEP);
      let shape = byShape.get(shapeKey);
      if (!shape) {
        shape = { getters: fields.map(getterFor), byKey: new Map() };
        byShape.set(shapeKey, shape);
        this.shapes.push(shape);
      }
      const key = fields.map((f) => scope[f]).join(SEP);
      const list = shape.byKey.get(key);
      if (list) list.push(value);
      else shape.byKey.set(key, [value]);
      n++;
    }
    this.size = n;
  }

  /** Appends every rule whose scope matches `s` to `out` (no allocation when nothing matches). */
  collect(s: ScopeSubject, out: T[]): T[] {
    for (const shape of this.shapes) {
      let key = '';
      let complete = true;
      for (let i = 0; i < shape.getters.length; i++) {
        const v = (shape.getters[i] as Getter)(s);
        if (v === null || v === undefined) {
          complete = false;
          break;
        }
        key = i === 0 ? v : key + SEP + v;
      }
      if (!complete) continue;
      const hit = shape.byKey.get(key);
      if (hit) for (const v of hit) out.push(v);
    }
    return out;
  }

  match(s: ScopeSubject): T[] {
    return this.collect(s, []);
  }
}

/** Does one scope match one subject (the slow, obvious form; used by tests and listings). */
export function scopeMatches(scope: Scope, s: ScopeSubject): boolean {
  for (const [f, want] of Object.entries(scope)) if (getterFor(f)(s) !== want) return false;
  return true;
}
