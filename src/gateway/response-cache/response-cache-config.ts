/**
 * The `cache:` section of the serve config (docs/caching.md):
 *
 *   cache:
 *     enabled: true
 *     ttl_seconds: 3600            # how long an answer may be replayed
 *     max_entries: 10000           # in-process store only (Redis: TTL and Redis's own eviction)
 *     max_bytes: 268435456         # in-process store only: all cached bodies together
 *     max_entry_bytes: 1048576     # a larger answer is not cached (either store)
 *     scope: key                   # key | team | global: who may be served whose answers
 *     keys: [vk_…]                 # opt in these key ids only (virtual or pass-through)
 *     features: [faq]              # and/or these features (x-costrail-feature)
 *     any_temperature: false       # true: also cache requests sampled at temperature > 0
 *
 * Without `keys` and `features`, every call of a cacheable API is opted in once `enabled` is true.
 */
import { z } from 'zod';

const positiveInt = (what: string): z.ZodNumber => z.number({ error: `${what} must be a positive integer` }).int(`${what} must be a positive integer`).min(1, `${what} must be a positive integer`);

export const CACHE_SCOPES = ['key', 'team', 'global'] as const;
export type CacheScope = (typeof CACHE_SCOPES)[number];

export const ResponseCacheConfigSchema = z
  .object({
    enabled: z.boolean().default(false),
    ttl_seconds: positiveInt('ttl_seconds').max(30 * 86_400, 'ttl_seconds must be at most 30 days (2592000)').default(3600),
    max_entries: positiveInt('max_entries').max(10_000_000).default(10_000),
    max_bytes: positiveInt('max_bytes').default(256 * 1024 * 1024),
    max_entry_bytes: positiveInt('max_entry_bytes').max(64 * 1024 * 1024, 'max_entry_bytes must be at most 64 MiB').default(1024 * 1024),
    scope: z.enum(CACHE_SCOPES, { error: `scope must be one of ${CACHE_SCOPES.join(', ')}` }).default('key'),
    keys: z.array(z.string().min(1).max(200)).max(10_000).optional(),
    features: z.array(z.string().min(1).max(256)).max(10_000).optional(),
    any_temperature: z.boolean().default(false),
  })
  .strict()
  .refine((c) => c.max_entry_bytes <= c.max_bytes, { message: 'max_entry_bytes must not exceed max_bytes', path: ['max_entry_bytes'] });

export type ResponseCacheConfig = z.infer<typeof ResponseCacheConfigSchema>;

/** The keys `cache:` accepts, for the serve config's unknown-key message. */
export const RESPONSE_CACHE_KEYS: readonly string[] = ['enabled', 'ttl_seconds', 'max_entries', 'max_bytes', 'max_entry_bytes', 'scope', 'keys', 'features', 'any_temperature'];

/** A section with every default (tests and embedders). */
export function responseCacheConfig(partial: Partial<z.input<typeof ResponseCacheConfigSchema>> = {}): ResponseCacheConfig {
  return ResponseCacheConfigSchema.parse(partial);
}
