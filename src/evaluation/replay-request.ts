/**
 * A captured request re-addressed to a candidate model: same path shape, same messages and
 * parameters, the model swapped, and never streamed (the answer is compared whole). Gemini names
 * the model in the URL, so the path changes too. Paths that name a deployment (Azure, Bedrock)
 * cannot be re-addressed by model name and are refused with a reason.
 */
export interface ReplayRequest {
  path: string;
  body: Record<string, unknown>;
}

export class NotReplayableError extends Error {
  override readonly name = 'NotReplayableError';
}

const GEMINI_PATH = /^(.*\/models\/)[^/:]+:(?:stream)?[Gg]enerateContent$/;

export function replayRequest(api: string, path: string, request: Record<string, unknown>, candidate: string): ReplayRequest {
  const body: Record<string, unknown> = { ...request };
  delete body['stream'];
  delete body['stream_options'];
  if (api === 'generateContent') {
    const m = GEMINI_PATH.exec(path);
    if (!m) throw new NotReplayableError(`cannot re-address ${path} to another model`);
    return { path: `${m[1]}${encodeURIComponent(candidate)}:generateContent`, body };
  }
  if (/^\/(azure|bedrock)\//.test(path)) throw new NotReplayableError(`${path.split('/')[1]} paths name a deployment, not a model: replay needs a model-addressed path`);
  if (typeof request['model'] !== 'string') throw new NotReplayableError('the captured request names no model');
  body['model'] = candidate;
  return { path, body };
}

/** The text a judge reads as "the request": the messages' text, not the JSON around it. */
export function requestText(api: string, request: Record<string, unknown>): string {
  const texts: string[] = [];
  const add = (v: unknown): void => {
    if (typeof v === 'string') texts.push(v);
    else if (Array.isArray(v)) v.forEach(add);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o['text'] === 'string') texts.push(o['text']);
      else if (o['content'] !== undefined) add(o['content']);
      else if (o['parts'] !== undefined) add(o['parts']);
    }
  };
  if (api === 'generateContent') {
    add(request['systemInstruction']);
    add(request['contents']);
  } else if (api === 'responses') {
    add(request['instructions']);
    add(request['input']);
  } else {
    add(request['system']);
    add(request['messages']);
  }
  return texts.join('\n');
}
