/**
 * Every shape translator, registered at load. Import `translatorFor` from here (not from
 * shape-translator.ts) so the registry is filled before it is read.
 */
export { translatorFor, ShapeTranslationError } from './shape-translator.js';
export type { ShapeTranslator, StreamTranslator, TranslatableApi, TranslatedRequest } from './shape-translator.js';
