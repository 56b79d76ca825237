/** `costrail/sdk`: in-process instrumentation of the official provider clients. */
export { instrument, costrailFetch, defaultRecordSender, type InstrumentOptions } from './instrument.js';
export { withAttribution, currentAttribution, type AttributionInput } from './attribution-context.js';
export { RecordSender, type RecordSenderOptions, type RecordSenderStats, type RecordSink } from './record-sender.js';
export { AdmissionClient, CostrailRefusalError, type AdmissionClientOptions, type RefusalType } from './admission-client.js';
