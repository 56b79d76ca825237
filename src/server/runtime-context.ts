/**
 * What one Costrail process holds and its parts share: the store, the ledger writer, the price
 * book, the data folder. Domain modules receive this rather than reaching for globals.
 */
import type { ReplayService } from '../evaluation/replay-service.js';
import type { CaptureRepository } from '../capture/capture-repository.js';
import type { BodyCapture } from '../capture/body-capture.js';
import type { BillingPullService } from '../billing/pull/billing-pull-service.js';
import type { LedgerWriter } from '../ledger/ledger-writer.js';
import type { PolicyService } from '../policy/policy-service.js';
import type { SdkAdmission } from '../policy/sdk-admission.js';
import type { RoutingService } from '../routing/routing-service.js';
import type { CurrentPriceBook } from '../pricing/current-price-book.js';
import type { Store } from '../store/store.js';
import type { TokenAuthenticator } from '../http/principal.js';
import type { KeyService } from '../keys/key-service.js';
import type { Logger } from '../http/logger.js';

export interface RuntimeContext {
  dataDir: string;
  store: Store;
  writer: LedgerWriter;
  /** The price book in force: `prices.current()` per use, `prices.reload()` after an override changes. */
  prices: CurrentPriceBook;
  auth: TokenAuthenticator;
  /** Virtual keys, provider credentials, scoped API tokens. */
  keys: KeyService;
  log: Logger;
  /** Budgets, rate limits, kill switches; `policy.onThreshold(listener)` for budget threshold events. */
  policy: PolicyService;
  /** Billing pulls from the providers' admin cost APIs (configured by COSTRAIL_<P>_ADMIN_KEY). */
  billingPulls: BillingPullService;
  /** Admission for SDK-instrumented calls (`POST /api/admission`); their records settle its holds on import. */
  admission: SdkAdmission;
  /** Captured bodies and replay evaluations (src/capture, src/evaluation). */
  replays: ReplayService;
  captures: CaptureRepository;
  /** Undefined when body capture is off. */
  capture: BodyCapture | undefined;
  /** Routing rules, fallbacks and retries in force (`GET/PUT /api/routing/rules`). */
  routing: RoutingService;
}
