export { geminiUsageParser, geminiUsageFromBody, createGeminiUsageParser } from './gemini-usage-parser.js';
export { GeminiStreamMeter, type GeminiStreamFormat, type GeminiStreamMeterOptions } from './gemini-stream-meter.js';
export { JsonArraySplitter, splitJsonArray, type JsonArraySplitterOptions } from './json-array-splitter.js';
export { modelFromGeminiPath } from './model-from-gemini-path.js';
export {
  normalizeUsageMetadata,
  readTraffic,
  type GeminiUsageReading,
  type GeminiTrafficReading,
} from './normalize-usage-metadata.js';
export { geminiAdapter, googleApiKeyAuth, matchGooglePath } from './gemini-adapter.js';
