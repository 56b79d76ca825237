/**
 * The two decisions the gateway asks of the rest of Costrail before it forwards a call:
 * who is calling (KeyAuthority: pass-through or virtual keys) and whether the call may proceed
 * (CallPolicy: budgets, rate limits, kill switches, allow-lists). Both default to "anyone,
 * anything" so the gateway runs on its own; `serve` plugs in the real ones.
 *
 * Both are on the hot path: they answer from memory (synchronously where they can) and leave
 * writing and aggregating to the ledger behind them.
 */
import type { IncomingMessage } from 'node:http';
import type { LedgerRecord } from '../ledger/ledger-record.js';
import type { CallAttribution, KeyDefaults } from './attribution.js';
import { isGatewayErrorCode, type GatewayError } from '../errors/error-catalogue.js';
import type { Route } from './route.js';

export interface CallIdentity {
  /** What the ledger records as `key_id`: a virtual key's id, or `pt_<hash>` of a passed-through key. */
  key_id: string | null;
  /** A virtual key's attribution and tag defaults (request headers win over them). */
  defaults?: KeyDefaults;
  /** Headers to send upstream in place of the client's credential (a held provider key). */
  upstreamAuth?: Record<string, string>;
  /** Client headers that must not go upstream (the virtual key itself). */
  stripHeaders?: readonly string[];
  /** Models this key may call (patterns); absent means any. */
  allowedModels?: readonly string[];
  /** Endpoints beyond the metered ones this key may reach with a held credential (`[METHOD ]/path*`). */
  allowedEndpoints?: readonly string[];
  /** The path to send upstream instead of the route's (a virtual key removed from `?key=`). */
  upstreamPath?: string;
}

export interface KeyAuthority {
  /** A GatewayError (status 401, type invalid_api_key) refuses the call in the caller's format. */
  identify(req: IncomingMessage, route: Route): CallIdentity | GatewayError;
  /** Who is calling, for a call refused before it has a route (recorded, never forwarded); null if unknown. */
  keyIdOf?(req: IncomingMessage): string | null;
}

export interface AdmissionRequest {
  id: string;
  route: Route;
  /** The model the client asked for (body or URL), null if none. */
  model: string | null;
  body: Record<string, unknown> | undefined;
  stream: boolean;
  /** Size of the request body in bytes (a cheap upper bound on its input tokens). */
  bodyBytes?: number;
  who: CallAttribution;
  identity: CallIdentity;
  /** Epoch ms when the call arrived. */
  at: number;
}

/** Settles what admission reserved, once the call's record (with its actual cost) exists. */
export interface AdmissionTicket {
  settle(record: LedgerRecord): void;
}

export interface Admission {
  /** Refuse the call: recorded as `blocked` with this error, answered in the caller's format. */
  refusal?: GatewayError;
  /** Serve this model instead (budget downgrade); the record keeps `model_requested`. */
  model?: string;
  ticket?: AdmissionTicket;
}

export interface CallPolicy {
  admit(req: AdmissionRequest): Admission | Promise<Admission>;
}

/** A refusal is told from an identity by its catalogue code, not by its shape alone. */
export function isGatewayError(v: CallIdentity | GatewayError): v is GatewayError {
  const type = (v as { type?: unknown }).type;
  return typeof (v as GatewayError).status === 'number' && typeof type === 'string' && isGatewayErrorCode(type);
}
