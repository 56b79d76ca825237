/**
 * Bounds on per-stream state, so a hostile upstream cannot grow a translator's memory without
 * limit (the pending-event cap is in compose-translator.ts).
 */

/** Tool calls tracked per streamed answer; calls beyond it are dropped (no real model makes this many). */
export const MAX_STREAM_TOOL_CALLS = 256;
