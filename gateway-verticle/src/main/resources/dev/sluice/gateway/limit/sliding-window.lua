-- Exact sliding-window rate limit, atomically, in one round trip.
--
-- KEYS[1]  the window: a sorted set, member = unique request id, score = Redis TIME in microseconds
-- ARGV[1]  limit: requests allowed per window
-- ARGV[2]  window length in milliseconds (> 0)
-- ARGV[3]  request id, unique across every limiter of every node ("<limiter id>:<counter>")
--
-- Returns { allowed (1 or 0), remaining after this request, ms until the oldest entry leaves the window (0 if none) }
-- A rejected request is not added, so a client hammering a full window does not extend it.

-- Redis < 5 replicates scripts verbatim and refuses writes after TIME; later versions always
-- replicate effects and keep this call as a no-op.
if redis.replicate_commands then redis.replicate_commands() end

local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window_us = tonumber(ARGV[2]) * 1000

-- One clock for every gateway node: the Redis server's.
local time = redis.call('TIME')
local now_us = tonumber(time[1]) * 1000000 + tonumber(time[2])

-- An entry counts while now - score < window: drop those at or beyond the edge.
redis.call('ZREMRANGEBYSCORE', key, '-inf', now_us - window_us)
local count = redis.call('ZCARD', key)

local allowed = 0
if count < limit then
  -- The request id is unique across every limiter of every node, so two requests in one
  -- microsecond are two members.
  redis.call('ZADD', key, now_us, ARGV[3])
  -- Every entry is older than this one, so the set is empty one window from now: let it go.
  redis.call('PEXPIRE', key, ARGV[2])
  count = count + 1
  allowed = 1
end

local reset_ms = 0
if count == 1 and allowed == 1 then
  -- The entry just added is the only one (a client's first request in a window, the common case
  -- for most clients): it leaves one window from now, no need to ask.
  reset_ms = tonumber(ARGV[2])
else
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  if oldest[2] then
    reset_ms = math.ceil((tonumber(oldest[2]) + window_us - now_us) / 1000)
  end
end

return { allowed, math.max(limit - count, 0), reset_ms }
