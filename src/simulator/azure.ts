/**
 * Azure OpenAI paths over the OpenAI handlers: `/openai/deployments/{deployment}/...` and
 * `/openai/responses` (both require `?api-version=`, as Azure does), and the v1 API
 * `/openai/v1/...` (no api-version). A deployment path answers with the deployment's name as the
 * model unless the body names one, so a gateway must map deployment names to price them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError, type SimControls } from './context.js';
import { chatCompletions, embeddings, responses } from './openai.js';

type Rec = Record<string, unknown>;

const DEPLOYMENT = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;
const V1 = /^\/openai\/v1\/(chat\/completions|embeddings|responses)$/;

/** Answers an Azure-shaped request; false when the path is not Azure's. */
export async function azure(req: IncomingMessage, res: ServerResponse, c: SimControls, body: Rec, pathname: string, query: URLSearchParams): Promise<boolean> {
  if (!pathname.startsWith('/openai/')) return false;
  const d = DEPLOYMENT.exec(pathname);
  const v1 = V1.exec(pathname);
  const op = d?.[2] ?? v1?.[1] ?? (pathname === '/openai/responses' ? 'responses' : undefined);
  if (req.method !== 'POST' || op === undefined) {
    sendError(res, 'openai', 404, `simulator (azure): no route for ${req.method} ${pathname}`);
    return true;
  }
  if (!v1 && !query.get('api-version')) {
    sendError(res, 'openai', 404, 'Resource not found (api-version query parameter is missing)');
    return true;
  }
  if (!req.headers['api-key'] && !req.headers.authorization) {
    sendError(res, 'openai', 401, 'Access denied due to missing subscription key (api-key header)');
    return true;
  }
  const model = d ? decodeURIComponent(d[1] ?? '') : body.model;
  const b: Rec = { ...body, model };
  if (op === 'chat/completions') await chatCompletions(res, c, b);
  else if (op === 'embeddings') embeddings(res, c, b);
  else await responses(res, c, b);
  return true;
}
