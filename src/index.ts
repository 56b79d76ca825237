/**
 * The package's main export (`import … from 'costrail'`): what a library user needs to read a
 * provider response, price it exactly and handle ledger records, and nothing of the server.
 *
 * Everything here is a deliberate public surface: names keep their meaning across minor
 * versions. Internals (gateway, stores, policy) stay reachable only through the CLI and the HTTP
 * API. The in-process SDK (`instrument`, `withAttribution`) joins this list when it is built.
 *
 * Typical use:
 *   const book = loadPriceBook();                                   // built-in catalog
 *   const reading = readProviderResponse('openai', bytes);          // usage from a body or stream
 *   const { cost } = priceUsage(book, { provider: 'openai', model: reading.model!,
 *                                        usage: reading.extraction!.usage, at: new Date() });
 */

// The ledger record (the JSON form of /api/events and `costrail import ledger`).
export type { Attribution, LedgerRecord, LedgerSource, LedgerStatus, Priority, UsageSource } from './ledger/ledger-record.js';
export { ATTRIBUTION_FIELDS } from './ledger/ledger-record.js';

// Usage: disjoint token kinds, as every provider's counters are converted to.
export type { ApiKind, Usage, UsageExtraction, UsageKind } from './providers/spec.js';
export type { ProviderId } from './providers/registry.js';
export { USAGE_KINDS, USAGE_VERSION, ProviderPayloadError, emptyUsage } from './providers/spec.js';

// Reading raw provider responses (JSON bodies, SSE streams, Bedrock event streams).
export type { ReadOptions, ResponseReading } from './providers/registry.js';
export { PROVIDER_IDS, billedModel, isProviderId, readProviderResponse } from './providers/registry.js';

// Pricing: the effective-dated price book and exact cost.
export type { CostBreakdown, PricingInput, PricingResult } from './pricing/cost.js';
export { priceUsage } from './pricing/cost.js';
export type { PriceBookOptions } from './pricing/catalog-loader.js';
export { loadPriceBook } from './pricing/catalog-loader.js';
export { PriceBook } from './pricing/price-book.js';
export { Decimal } from './pricing/decimal.js';

// Unit economics: report a business outcome (a ticket resolved…) to a Costrail server.
export type { OutcomeReport, RecordOutcomeOptions } from './economics/record-outcome.js';
export { recordOutcome } from './economics/record-outcome.js';

// In-process instrumentation of the official provider clients (also `costrail/sdk`).
export type { AttributionInput, InstrumentOptions, RecordSenderOptions, RecordSenderStats, RecordSink } from './sdk/index.js';
export { instrument, withAttribution, RecordSender, CostrailRefusalError } from './sdk/index.js';
