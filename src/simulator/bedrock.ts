/**
 * Bedrock runtime: Converse, ConverseStream, InvokeModel and InvokeModelWithResponseStream (an
 * Anthropic-native body), at `/model/{modelId}/...`. Every request's SigV4 signature is verified
 * against the simulator's AWS credentials, so a test passing through a gateway proves the gateway
 * signed what it sent. Streams are AWS event-stream frames (application/vnd.amazon.eventstream).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeException, encodeJsonEvent } from '../providers/bedrock/event-stream-encoder.js';
import { verifySigV4, type AwsCredentials } from '../providers/bedrock/sigv4.js';
import { messagesTexts } from './anthropic.js';
import { nextId, outputTarget, sleep, type SimControls } from './context.js';
import { countPromptTokens, generateOutput } from './tokens.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The simulated account's credentials (documentation-style example values, not a real account). */
export const SIM_AWS_CREDENTIALS: AwsCredentials = { accessKeyId: 'AKIASIMULATOREXAMPLE', secretAccessKey: 'simulator/K7MDENG/bPxRfiCYSIMULATORKEY' };
export const SIM_AWS_REGION = 'us-east-1';

export interface BedrockSimOptions {
  credentials?: AwsCredentials;
  region?: string;
}

const PATH = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/;

function awsError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type }).end(JSON.stringify({ message }));
}

/** Converse texts: system blocks, then every message's text blocks. */
function converseTexts(body: Rec): string[] {
  const out: string[] = [];
  for (const s of arr(body.system)) if (typeof rec(s).text === 'string') out.push(rec(s).text as string);
  for (const m of arr(body.messages)) for (const b of arr(rec(m).content)) if (typeof rec(b).text === 'string') out.push(rec(b).text as string);
  return out;
}

/** Answers a Bedrock-shaped request; false when the path is not Bedrock's. */
export async function bedrock(req: IncomingMessage, res: ServerResponse, c: SimControls, raw: string, body: Rec, url: URL, o: BedrockSimOptions = {}): Promise<boolean> {
  const m = PATH.exec(url.pathname);
  if (!m) return false;
  const creds = o.credentials ?? SIM_AWS_CREDENTIALS;
  const why = verifySigV4({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body: raw }, creds, { region: o.region ?? SIM_AWS_REGION, service: 'bedrock' });
  if (why) {
    awsError(res, 403, 'InvalidSignatureException', `The request signature we calculated does not match the signature you provided (${why})`);
    return true;
  }
  const modelId = decodeURIComponent(m[1] ?? '');
  const op = m[2] ?? '';
  const invoke = op.startsWith('invoke');
  const prompt = countPromptTokens(invoke ? messagesTexts(body) : converseTexts(body));
  const target = outputTarget(c, invoke ? body.max_tokens : rec(body.inferenceConfig).maxTokens);
  const out = generateOutput(prompt, target.tokens, c.chunks);
  const stop = target.limited ? 'max_tokens' : 'end_turn';
  const cached = Math.min(c.cachedTokens, prompt);
  const converseUsage = { inputTokens: prompt - cached, outputTokens: out.tokens, totalTokens: prompt + out.tokens, ...(cached > 0 ? { cacheReadInputTokens: cached, cacheWriteInputTokens: 0 } : {}) };
  const anthropicUsage = { input_tokens: prompt - cached, cache_creation_input_tokens: 0, cache_read_input_tokens: cached, output_tokens: out.tokens };

  if (op === 'converse') {
    const resBody: Rec = { output: { message: { role: 'assistant', content: [{ text: out.text }] } }, stopReason: stop, metrics: { latencyMs: c.latencyMs } };
    if (!c.noUsage) resBody.usage = converseUsage;
    res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': nextId('') }).end(JSON.stringify(resBody));
    return true;
  }
  if (op === 'invoke') {
    const msg: Rec = { id: nextId('msg_bdrk_'), type: 'message', role: 'assistant', model: modelId, content: [{ type: 'text', text: out.text }], stop_reason: stop, stop_sequence: null };
    if (!c.noUsage) msg.usage = anthropicUsage;
    res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': nextId('') }).end(JSON.stringify(msg));
    return true;
  }

  // Streams: one frame per event; deltas honour the chunk delay and the mid-stream failure control.
  const frames: { frame: Uint8Array; delta?: boolean }[] = [];
  const chunk = (inner: Rec): Uint8Array => encodeJsonEvent('chunk', { bytes: Buffer.from(JSON.stringify(inner)).toString('base64') });
  if (op === 'converse-stream') {
    frames.push({ frame: encodeJsonEvent('messageStart', { role: 'assistant' }) });
    for (const text of out.pieces) frames.push({ frame: encodeJsonEvent('contentBlockDelta', { contentBlockIndex: 0, delta: { text } }), delta: true });
    frames.push({ frame: encodeJsonEvent('contentBlockStop', { contentBlockIndex: 0 }) }, { frame: encodeJsonEvent('messageStop', { stopReason: stop }) });
    if (!c.noUsage) frames.push({ frame: encodeJsonEvent('metadata', { usage: converseUsage, metrics: { latencyMs: c.latencyMs } }) });
  } else {
    const start = { id: nextId('msg_bdrk_'), type: 'message', role: 'assistant', model: modelId, content: [], stop_reason: null, stop_sequence: null, usage: { ...anthropicUsage, output_tokens: 1 } };
    frames.push({ frame: chunk({ type: 'message_start', message: start }) }, { frame: chunk({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }) });
    for (const text of out.pieces) frames.push({ frame: chunk({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }), delta: true });
    frames.push({ frame: chunk({ type: 'content_block_stop', index: 0 }) }, { frame: chunk({ type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: out.tokens } }) });
    const metrics = { inputTokenCount: prompt - cached, outputTokenCount: out.tokens, invocationLatency: c.latencyMs, firstByteLatency: c.latencyMs };
    frames.push({ frame: chunk({ type: 'message_stop', ...(c.noUsage ? {} : { 'amazon-bedrock-invocationMetrics': metrics }) }) });
  }
  res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': nextId('') });
  let deltas = 0;
  for (const f of frames) {
    if (res.destroyed) return true;
    if (f.delta) {
      if (c.failAfterChunks !== undefined && deltas >= c.failAfterChunks) {
        res.end(encodeException('internalServerException', 'simulated failure mid-stream (x-sim-fail-after-chunks)'));
        return true;
      }
      if (deltas > 0) await sleep(c.chunkDelayMs);
      deltas++;
    }
    res.write(f.frame);
  }
  res.end();
  return true;
}
