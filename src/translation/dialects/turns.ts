/** Turn helpers shared by the dialects. */
import type { ChatTurn } from '../chat-model.js';

/**
 * Joins consecutive turns of the same role (OpenAI's separate `tool` messages become one user
 * turn of tool results; Anthropic and Gemini expect roles to alternate) and drops empty turns.
 */
export function mergeTurns(turns: ChatTurn[]): ChatTurn[] {
  const out: ChatTurn[] = [];
  for (const t of turns) {
    if (t.parts.length === 0) continue;
    const last = out[out.length - 1];
    if (last !== undefined && last.role === t.role) out[out.length - 1] = { role: t.role, parts: [...last.parts, ...t.parts] };
    else out.push({ role: t.role, parts: [...t.parts] });
  }
  return out;
}
