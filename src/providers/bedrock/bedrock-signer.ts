/**
 * Bedrock calls are signed with AWS SigV4 from credentials Costrail holds (config or environment);
 * whatever auth the client sent is dropped, since it signed for Costrail's host, not AWS's.
 */
import { gatewayError } from '../../errors/error-catalogue.js';
import type { SigningAccess, UpstreamSigner } from '../spec.js';
import { signSigV4 } from './sigv4.js';

/** Client-side AWS auth headers are dropped: the client signed for Costrail's host, not AWS's. */
const CLIENT_AWS_AUTH = ['authorization', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256'];

export const BEDROCK_DEFAULT_REGION = 'us-east-1';

export function bedrockSigner(access: SigningAccess | undefined): UpstreamSigner {
  const region = access?.region ?? BEDROCK_DEFAULT_REGION;
  const creds = access?.credentials;
  return (req) => {
    if (!creds) {
      return gatewayError('upstream_not_configured', 'no AWS credentials for Bedrock: set providers.bedrock.access_key_id/secret_access_key in the config, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY');
    }
    for (const h of CLIENT_AWS_AUTH) delete req.headers[h];
    const u = new URL(req.url);
    const signed: Record<string, string> = {};
    const ctype = req.headers['content-type'];
    if (ctype !== undefined) signed['content-type'] = ctype;
    // The path goes upstream as the client encoded it; the signer signs exactly the path sent.
    const parts = signSigV4({ method: req.method, host: u.host, path: u.pathname, query: u.search.slice(1), headers: signed, body: req.body }, creds, { region, service: 'bedrock' });
    Object.assign(req.headers, parts.headers);
    return undefined;
  };
}
