/**
 * The simulator's Azure OpenAI paths and its Bedrock mode, called directly: Azure's api-version and
 * key requirements, Bedrock's SigV4 verification (unsigned, wrongly signed and correctly signed
 * requests), and usage that Costrail's own Bedrock parsers read back as countPromptTokens says.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AzureOpenAI } from 'openai';
import { countPromptTokens, SIM_AWS_CREDENTIALS, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { signSigV4, type AwsCredentials } from '../../src/providers/bedrock/sigv4.js';
import { meterStream, parseBody, postRaw } from './sim-kit.js';

let sim: Simulator;
before(async () => {
  sim = await startSimulator();
});
after(() => sim.close());

test('Azure deployment paths need api-version and a key; the AzureOpenAI client is answered', async () => {
  const missingVersion = await postRaw(`${sim.url}/openai/deployments/d1/chat/completions`, { messages: [] }, { 'api-key': 'k' });
  assert.equal(missingVersion.status, 404);
  const missingKey = await postRaw(`${sim.url}/openai/deployments/d1/chat/completions?api-version=2024-10-21`, { messages: [] });
  assert.equal(missingKey.status, 401);
  const client = new AzureOpenAI({ endpoint: sim.url, apiKey: 'k', apiVersion: '2024-10-21', deployment: 'd1', maxRetries: 0 });
  const out = await client.chat.completions.create({ model: 'ignored', messages: [{ role: 'user', content: 'hello there' }] });
  assert.equal(out.model, 'd1', 'a deployment path answers with the deployment name');
  assert.equal(out.usage?.prompt_tokens, countPromptTokens(['hello there']));
});

const TEXT = 'How much did the batch jobs cost?';
const body = { messages: [{ role: 'user', content: [{ text: TEXT }] }], inferenceConfig: { maxTokens: 12 } };

function signed(path: string, json: string, creds: AwsCredentials = SIM_AWS_CREDENTIALS): Record<string, string> {
  const u = new URL(sim.url);
  return { 'content-type': 'application/json', ...signSigV4({ method: 'POST', host: u.host, path, query: '', headers: { 'content-type': 'application/json' }, body: json }, creds, { region: 'us-east-1', service: 'bedrock' }).headers };
}

test('Bedrock mode verifies SigV4: unsigned and wrongly signed requests get 403 InvalidSignatureException', async () => {
  const path = '/model/amazon.nova-lite-v1%3A0/converse';
  const unsigned = await postRaw(sim.url + path, body);
  assert.equal(unsigned.status, 403);
  assert.equal(unsigned.headers.get('x-amzn-errortype'), 'InvalidSignatureException');
  const wrong = await postRaw(sim.url + path, body, signed(path, JSON.stringify(body), { ...SIM_AWS_CREDENTIALS, secretAccessKey: 'wrong' }));
  assert.equal(wrong.status, 403);
  const ok = await postRaw(sim.url + path, body, signed(path, JSON.stringify(body)));
  assert.equal(ok.status, 200, ok.text);
  const ext = parseBody('bedrock', 'converse', ok);
  assert.equal(ext?.usage.input_tokens, countPromptTokens([TEXT]));
  assert.equal(ext?.usage.output_tokens, 12);
});

test('Bedrock ConverseStream and InvokeModelWithResponseStream frames are read by BedrockStreamMeter', async () => {
  const cs = '/model/amazon.nova-lite-v1%3A0/converse-stream';
  const raw = await postRaw(sim.url + cs, body, signed(cs, JSON.stringify(body)));
  assert.equal(raw.status, 200);
  assert.equal(raw.headers.get('content-type'), 'application/vnd.amazon.eventstream');
  const out = meterStream('bedrock', 'converse', raw);
  assert.equal(out.extraction?.usage.input_tokens, countPromptTokens([TEXT]));
  assert.equal(out.extraction?.usage.output_tokens, 12);
  assert.ok(out.output_text.length > 0);

  const inv = '/model/anthropic.claude-haiku-4-5-20251001-v1%3A0/invoke-with-response-stream';
  const ib = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 9, messages: [{ role: 'user', content: TEXT }] };
  const iraw = await postRaw(sim.url + inv, ib, signed(inv, JSON.stringify(ib)));
  assert.equal(iraw.status, 200);
  const iout = meterStream('bedrock', 'invoke', iraw);
  assert.equal(iout.extraction?.usage.input_tokens, countPromptTokens([TEXT]));
  assert.equal(iout.extraction?.usage.output_tokens, 9);
});
