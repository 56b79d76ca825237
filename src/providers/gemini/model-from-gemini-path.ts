/**
 * The model named in a Gemini API or Vertex AI request path, e.g.
 *   /v1beta/models/gemini-2.5-pro:generateContent                                 -> gemini-2.5-pro
 *   /v1/projects/p/locations/l/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse
 *                                                                                  -> gemini-2.5-pro
 * Used as `model_requested` (Gemini responses echo the served model in `modelVersion`, which wins).
 * Returns undefined for paths that name no model (Vertex dedicated `endpoints/...`, `tunedModels/...`).
 */
// `models/` must be a whole segment so `tunedModels/x` is not read as model `x`; the name runs
// to the `:method` suffix, the next segment, or the query string.
const MODEL_IN_PATH = /(?:^|\/)models\/([^/:?#]+)/;

export function modelFromGeminiPath(path: string): string | undefined {
  const m = MODEL_IN_PATH.exec(path);
  const raw = m?.[1];
  if (raw === undefined) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  // An encoded colon (`models/gemini-2.5-pro%3AgenerateContent`) still separates the method.
  const colon = name.indexOf(':');
  if (colon !== -1) name = name.slice(0, colon);
  // An encoded slash would make a name no model has; treat the path as naming none.
  return name.length > 0 && !name.includes('/') ? name : undefined;
}
