/** Shared bits of the policy commands (budgets, kill-switch, rate-limits): scope parsing and output. */
import { CliError } from './cli-error.js';

/** `team=search,tag:env=prod` -> { team: 'search', 'tag:env': 'prod' }; `global` or '' -> {}. */
export function parseScope(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text || text === 'global') return out;
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new CliError(`--scope: "${part}" is not field=value (e.g. --scope team=search,model=gpt-4o)`, 2);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

export function scopeLabel(scope: Record<string, string>): string {
  const parts = Object.entries(scope).map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? 'global' : parts.join(',');
}

export function positiveNumber(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new CliError(`${flag} must be a positive number, not "${v}"`, 2);
    return n;
  };
}

export function printJson(v: unknown): void {
  process.stdout.write(JSON.stringify(v, null, 2) + '\n');
}
