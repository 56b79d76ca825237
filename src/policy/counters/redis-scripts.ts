/**
 * The Lua scripts that make each counter operation atomic in Redis (one script runs alone).
 * Bucket K: hash K {s = spent, r = reserved}; hash K:h {call id = held amount}; sorted set K:z
 * {call id scored by hold expiry}. Amounts cross as decimal strings and are added with HINCRBY
 * (exact int64); only the admission comparison happens in Lua numbers (doubles), so it is exact
 * up to 2^53 pico-dollars (about $9,000) and within a few pico-dollars above that.
 */

const RELEASE = `
local function release(k, now)
  local z = k .. ':z'
  local due = redis.call('ZRANGEBYSCORE', z, '-inf', now)
  if #due > 0 then
    local h = k .. ':h'
    for _, id in ipairs(due) do
      local amt = redis.call('HGET', h, id)
      if amt then
        redis.call('HINCRBY', k, 'r', '-' .. amt)
        redis.call('HDEL', h, id)
      end
    end
    redis.call('ZREMRANGEBYSCORE', z, '-inf', now)
  end
end
local function expire(k, ex)
  if ex ~= '0' then
    redis.call('PEXPIREAT', k, ex)
    redis.call('PEXPIREAT', k .. ':h', ex)
    redis.call('PEXPIREAT', k .. ':z', ex)
  end
end
`;

/** KEYS buckets; ARGV now, hold expiry, call id, then per bucket: amount, limit ('' = none), bucket expiry ('0' = none). */
export const RESERVE = `${RELEASE}
local now = ARGV[1]
local id = ARGV[3]
for i = 1, #KEYS do
  local k = KEYS[i]
  release(k, now)
  local lim = ARGV[3 + (i - 1) * 3 + 2]
  if lim ~= '' then
    local v = redis.call('HMGET', k, 's', 'r')
    local used = (tonumber(v[1]) or 0) + (tonumber(v[2]) or 0)
    if used + tonumber(ARGV[3 + (i - 1) * 3 + 1]) > tonumber(lim) then
      return {i, v[1] or '0', v[2] or '0'}
    end
  end
end
for i = 1, #KEYS do
  local k = KEYS[i]
  local amt = ARGV[3 + (i - 1) * 3 + 1]
  redis.call('HINCRBY', k, 'r', amt)
  redis.call('HINCRBY', k .. ':h', id, amt)
  redis.call('ZADD', k .. ':z', ARGV[2], id)
  expire(k, ARGV[3 + (i - 1) * 3 + 3])
end
return {0}
`;

/** KEYS buckets; ARGV now, call id, then per bucket: actual, bucket expiry ('0' = none). Returns s, r per bucket. */
export const SETTLE = `${RELEASE}
local now = ARGV[1]
local id = ARGV[2]
local out = {}
for i = 1, #KEYS do
  local k = KEYS[i]
  release(k, now)
  local h = k .. ':h'
  local amt = redis.call('HGET', h, id)
  if amt then
    redis.call('HINCRBY', k, 'r', '-' .. amt)
    redis.call('HDEL', h, id)
    redis.call('ZREM', k .. ':z', id)
  end
  redis.call('HINCRBY', k, 's', ARGV[2 + (i - 1) * 2 + 1])
  if redis.call('PTTL', k) == -1 then expire(k, ARGV[2 + (i - 1) * 2 + 2]) end
  local v = redis.call('HMGET', k, 's', 'r')
  out[#out + 1] = v[1] or '0'
  out[#out + 1] = v[2] or '0'
end
return out
`;

/** KEYS buckets; ARGV now. Returns s, r per bucket after releasing expired holds. */
export const READ = `${RELEASE}
local out = {}
for i = 1, #KEYS do
  release(KEYS[i], ARGV[1])
  local v = redis.call('HMGET', KEYS[i], 's', 'r')
  out[#out + 1] = v[1] or '0'
  out[#out + 1] = v[2] or '0'
end
return out
`;

/** KEYS bucket; ARGV spent, bucket expiry. 1 if seeded, 0 if the bucket already existed. */
export const SEED = `${RELEASE}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 's', ARGV[1], 'r', '0')
expire(KEYS[1], ARGV[2])
return 1
`;

/**
 * KEYS bucket; ARGV spent (non-negative integer string), bucket expiry. Raises s to ARGV[1] if it is
 * lower and returns s. Compared as digit strings (int64 pico-dollars exceed a double's exact range).
 */
export const REBUILD = `${RELEASE}
local function less(a, b)
  if #a ~= #b then return #a < #b end
  return a < b
end
local fresh = redis.call('EXISTS', KEYS[1]) == 0
local s = redis.call('HGET', KEYS[1], 's') or '0'
if less(s, ARGV[1]) then
  redis.call('HSET', KEYS[1], 's', ARGV[1])
  s = ARGV[1]
end
if redis.call('HEXISTS', KEYS[1], 'r') == 0 then redis.call('HSET', KEYS[1], 'r', '0') end
if fresh then expire(KEYS[1], ARGV[2]) end
return s
`;
