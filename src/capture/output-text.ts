/**
 * The answer of a non-streamed response as text, per API shape: what replay compares an original
 * and a candidate by. Tool calls count as part of the answer (a classifier that answers with a
 * function call is answering), written as `name(arguments)`. Streams are read by the provider's
 * stream meter instead (its `output_text`).
 */
const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  return arr(content)
    .map((p) => str(rec(p)['text']))
    .join('');
}

export function responseOutputText(api: string, body: unknown): string {
  const b = rec(body);
  switch (api) {
    case 'chat.completions': {
      const message = rec(rec(arr(b['choices'])[0])['message']);
      const calls = arr(message['tool_calls']).map((c) => {
        const f = rec(rec(c)['function']);
        return `${str(f['name'])}(${str(f['arguments'])})`;
      });
      return [partsText(message['content']), ...calls].filter((s) => s !== '').join('\n');
    }
    case 'responses':
      return arr(b['output'])
        .flatMap((item) => {
          const i = rec(item);
          if (i['type'] === 'function_call') return [`${str(i['name'])}(${str(i['arguments'])})`];
          return arr(i['content']).map((c) => (rec(c)['type'] === 'output_text' ? str(rec(c)['text']) : ''));
        })
        .filter((s) => s !== '')
        .join('\n');
    case 'messages':
      return arr(b['content'])
        .map((block) => {
          const x = rec(block);
          if (x['type'] === 'text') return str(x['text']);
          if (x['type'] === 'tool_use') return `${str(x['name'])}(${JSON.stringify(x['input'] ?? {})})`;
          return '';
        })
        .filter((s) => s !== '')
        .join('\n');
    case 'generateContent':
      return arr(rec(rec(arr(b['candidates'])[0])['content'])['parts'])
        .map((p) => {
          const x = rec(p);
          if (typeof x['text'] === 'string') return x['text'];
          const fc = rec(x['functionCall']);
          return typeof fc['name'] === 'string' ? `${fc['name']}(${JSON.stringify(fc['args'] ?? {})})` : '';
        })
        .filter((s) => s !== '')
        .join('\n');
    default:
      return '';
  }
}

/** APIs whose captured calls can be replayed against another model. */
export const REPLAYABLE_APIS: ReadonlySet<string> = new Set(['chat.completions', 'responses', 'messages', 'generateContent']);
