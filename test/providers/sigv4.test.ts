/**
 * SigV4 against the published aws-sig-v4-test-suite vectors (credentials AKIDEXAMPLE, region
 * us-east-1, service "service", 2015-08-30T12:36:00Z): canonical request, string to sign and
 * signature are asserted apart, so a failure names the step that is wrong.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Hex, signSigV4, verifySigV4, type AwsCredentials } from '../../src/providers/bedrock/sigv4.js';

const CREDS: AwsCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SCOPE = { region: 'us-east-1', service: 'service' };
const AT = new Date('2015-08-30T12:36:00Z');
const HOST = 'example.amazonaws.com';
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const STS_PREFIX = 'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n';
const CREDENTIAL = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';

test('get-vanilla', () => {
  const s = signSigV4({ method: 'GET', host: HOST, path: '/', query: '', headers: {}, body: '' }, CREDS, SCOPE, AT);
  assert.equal(s.canonicalRequest, ['GET', '/', '', `host:${HOST}`, 'x-amz-date:20150830T123600Z', '', 'host;x-amz-date', EMPTY].join('\n'));
  assert.equal(s.stringToSign, STS_PREFIX + 'bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63');
  assert.equal(s.headers['authorization'], `${CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31`);
  assert.equal(s.headers['x-amz-date'], '20150830T123600Z');
});

test('get-vanilla-query-order-key-case: query sorted by name', () => {
  const s = signSigV4({ method: 'GET', host: HOST, path: '/', query: 'Param2=value2&Param1=value1', headers: {}, body: '' }, CREDS, SCOPE, AT);
  assert.equal(s.canonicalRequest.split('\n')[2], 'Param1=value1&Param2=value2');
  assert.equal(sha256Hex(s.canonicalRequest), '816cd5b414d056048ba4f7c5386d6e0533120fb1fcfa93762cf0fc39e2cf19e0');
  assert.equal(s.signature, 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500');
});

test('post-x-www-form-urlencoded: content type and body are signed', () => {
  const s = signSigV4({ method: 'POST', host: HOST, path: '/', query: '', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'Param1=value1' }, CREDS, SCOPE, AT);
  assert.equal(s.canonicalRequest.split('\n').at(-1), '9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e');
  assert.equal(s.stringToSign, STS_PREFIX + '42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281');
  assert.equal(s.signature, 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a');
});

test('post-sts-header-after: the session token is sent and signed', () => {
  const sessionToken =
    'AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==';
  const s = signSigV4({ method: 'POST', host: HOST, path: '/', query: '', headers: {}, body: '' }, { ...CREDS, sessionToken }, SCOPE, AT);
  assert.equal(s.headers['x-amz-security-token'], sessionToken);
  assert.equal(s.stringToSign, STS_PREFIX + 'c237e1b440d4c63c32ca95b5b99481081cb7b13c7e40434868e71567c1a882f6');
  assert.equal(s.headers['authorization'], `${CREDENTIAL}, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead`);
});

test('get-utf8: a non-ASCII path segment is percent-encoded with uppercase hex', () => {
  const s = signSigV4({ method: 'GET', host: HOST, path: '/\u1234', query: '', headers: {}, body: '' }, CREDS, SCOPE, AT);
  assert.equal(s.canonicalRequest.split('\n')[1], '/%E1%88%B4');
  assert.equal(sha256Hex(s.canonicalRequest), '2a0a97d02205e45ce2e994789806b19270cfbbb0921b278ccf58f5249ac42102');
});

test('a Bedrock model id path is encoded again for the canonical URI (%3A -> %253A), as the AWS SDKs sign it', () => {
  const s = signSigV4({ method: 'POST', host: 'bedrock-runtime.us-east-1.amazonaws.com', path: '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse', query: '', headers: {}, body: '{}' }, CREDS, { region: 'us-east-1', service: 'bedrock' }, AT);
  assert.equal(s.canonicalRequest.split('\n')[1], '/model/us.anthropic.claude-sonnet-4-5-20250929-v1%253A0/converse');
});

test('verifySigV4 accepts what signSigV4 produced and rejects any tampering', () => {
  const body = '{"messages":[]}';
  const path = '/model/amazon.nova-lite-v1%3A0/converse';
  const s = signSigV4({ method: 'POST', host: '127.0.0.1:9999', path, query: '', headers: { 'content-type': 'application/json' }, body }, CREDS, SCOPE);
  const headers = { host: '127.0.0.1:9999', 'content-type': 'application/json', ...s.headers };
  assert.equal(verifySigV4({ method: 'POST', url: path, headers, body }, CREDS, SCOPE), null);
  assert.match(verifySigV4({ method: 'POST', url: path, headers, body: '{"messages":[1]}' }, CREDS, SCOPE) ?? '', /does not match/);
  assert.match(verifySigV4({ method: 'POST', url: path, headers: { ...headers, host: 'evil:1' }, body }, CREDS, SCOPE) ?? '', /does not match/);
  assert.match(verifySigV4({ method: 'POST', url: path, headers, body }, { ...CREDS, secretAccessKey: 'other' }, SCOPE) ?? '', /does not match/);
  assert.match(verifySigV4({ method: 'POST', url: path, headers: { ...headers, authorization: undefined }, body }, CREDS, SCOPE) ?? '', /missing/);
});
