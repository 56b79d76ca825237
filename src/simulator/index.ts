/** Public surface of the simulated provider (tests, bench and `costrail demo` import from here). */
export { startSimulator, type Simulator, type SimRequest, type SimulatorOptions } from './server.js';
export { countPromptTokens, generateOutput, type GeneratedOutput } from './tokens.js';
export { chatTexts, responsesTexts } from './openai.js';
export { messagesTexts } from './anthropic.js';
export { geminiTexts } from './gemini.js';
export { SIM_AWS_CREDENTIALS, SIM_AWS_REGION } from './bedrock.js';
