-- Exact sliding-window rate limit, atomically, in one round trip; grants one slot or a lease of several,
-- for one window or for several at once (a batch: the calls of one gateway event-loop turn).
--
-- KEYS[i]  a window: a sorted set; a member stands for one slot ("<grant id>") or for w >= 2 slots
--          ("<grant id>*<w>"); its score is Redis TIME in microseconds when the slots were used, or
--          for a lease the lease's end (every slot of a lease is used by then). One more member,
--          "#", keeps the sum of (w - 1) over the weighted members as minus its score (so it sorts
--          first and no trim reaches it), so that counting stays O(1): slots = members + that sum.
--          It is absent while no member is weighted.
-- ARGV[1]  limit: slots allowed per window
-- ARGV[2]  window length in milliseconds (> 0)
-- ARGV[3]  grant id, unique across every limiter of every node ("<limiter id>:<counter>")
-- ARGV[4]  need: slots for requests waiting now (0: only hand back, below)
-- ARGV[5]  spare: more slots wished for the lease, granted only from room to spare (see below)
-- ARGV[6]  lease length in ms for all `spare` slots: 0 scores the grant now (requests waiting now use
--          it at once); a grant with fewer spare slots gets a lease as much shorter (lease_us below).
--          Tens of ms for a hot client, up to a window for a steady one far below its limit
--          (LeaseSizing): the key's TTL follows the latest score (expire_after below)
-- ARGV[7]  a member to hand back ("" = none): a lease that ended with slots unused ...
-- ARGV[8]  ... and what it becomes: the same grant id with the slots really used, or "" (none used);
--          the same member as ARGV[7] when a lease was used up before its end (only re-scored, below)
-- ARGV[9]  how many us earlier than the member's score its last slot was used (0: keep the score).
--          The gateway knows when it used a lease's last slot; scoring the member there, not at the
--          lease's end, frees its slots for everyone that much sooner. The gateway measures it from
--          the lease's end it computed from when the call was sent, before Redis read its clock,
--          so the new score is still no earlier than the real use.
-- ARGV[4..9] may be left out for one slot scored now (need 1, nothing spare or handed back): the
-- call of a client seen now and then, which is most calls, carries no more than it needs.
-- With several keys, KEYS[i] takes ARGV[9(i-1)+1 .. 9i], all nine given. One script call for many
-- windows is one command to read, one Lua call and one reply for Redis, and one TIME: cheaper per
-- window than a pipeline of one call each. (Not with Redis Cluster: one call's keys share a slot.)
--
-- Returns, per key in order, { granted, remaining after the grant, ms until the oldest entry leaves
-- the window (0 if none), ms until asking again can succeed (a rejection's local answer lasts this
-- long) }, flattened into one list; a window that failed answers { "ERR <why>", 0, 0, 0 }.
-- A rejected request is not added, so a client hammering a full window does not extend it.
--
-- Invariant: every request admitted with a slot stays in the set for at least one window after it
-- was admitted (a lease's slots are used before its end, their score), and the set never holds more
-- than `limit` slots: so no window-long span of time admits more than `limit`, across all nodes.
-- The price: a client is under-served by at most one lease's slots per node (unused ones until they
-- are handed back at its end, used ones scored up to a lease later than their request), which come
-- back when the lease ends. The key never expires while an entry still counts: its TTL is raised,
-- never lowered, to a window after the latest score.

-- Redis < 5 replicates scripts verbatim and refuses writes after TIME; later versions always
-- replicate effects and keep this call as a no-op.
if redis.replicate_commands then redis.replicate_commands() end

-- How long after a running lease's end its node may take to hand back what it did not use (its
-- timer's tick and a round trip): a full window's retry answer waits for that (retry_ms below).
local HAND_BACK_MS = 100
local EXTRA = '#'

-- The key must live until a window after its latest score, and a lease's score may be up to a window
-- ahead: raise its TTL to `ttl_ms` (what the member just added needs) unless it already lives longer
-- (another member scored later). `known` is a TTL computed from a set read whole (no lookup needed).
local function expire_after(key, ttl_ms, known)
  if known == nil then
    local ttl = redis.call('PTTL', key)
    if ttl >= ttl_ms then
      return
    end
  elseif known > ttl_ms then
    ttl_ms = known
  end
  redis.call('PEXPIRE', key, ttl_ms)
end

-- How long a lease runs, in us, for the spare slots it got: the spare asked for was sized to last
-- lease_ms at the client's rate, so a grant cut short by a window near its limit gets a lease as
-- much shorter, scored nearer to when its slots are used (a slot scored at a lease's end is blocked
-- for everyone until a window after that end, used or not). No spare slot granted: scored now, the
-- requests waiting use them at once. LeaseSizing.leaseNanos computes the same in the gateway.
local function lease_us(lease_ms, spare, spare_granted)
  if spare_granted <= 0 then
    return 0
  end
  return math.floor(lease_ms * 1000 * spare_granted / spare)
end

-- One window: the arguments of one key (a = ARGV offset), Redis's time now; returns the four answers.
local function decide(key, a, now_us)
  local limit = tonumber(ARGV[a + 1])
  local window_ms = tonumber(ARGV[a + 2])
  local window_us = window_ms * 1000
  local grant_id = ARGV[a + 3]
  local need = tonumber(ARGV[a + 4] or '1')
  local spare = tonumber(ARGV[a + 5] or '0')
  local lease_ms = tonumber(ARGV[a + 6] or '0')
  local hand_back = ARGV[a + 7] or ''
  local hand_back_as = ARGV[a + 8] or ''
  local earlier_by_us = tonumber(ARGV[a + 9] or '0')
  -- An entry counts while now - score < window.
  local cutoff = now_us - window_us

  -- The three lowest members: "#" if there is one, and the oldest entries. Most calls need nothing
  -- more to know whether anything left the window; a missing key (a client's first request in a
  -- window) needs nothing else at all, and a set of one or two plain entries (a client seen now and
  -- then) is read whole.
  local head = redis.call('ZRANGE', key, 0, 2, 'WITHSCORES')
  if not head[1] then
    -- Empty: grant what was asked, up to the limit; nothing to trim, hand back or look up.
    local granted = math.min(need, limit)
    if spare > 0 and limit > granted then
      granted = granted + math.min(spare, math.floor((limit - granted) / 4))
    end
    if granted <= 0 then
      return 0, limit, 0, 0
    end
    local lease = lease_us(lease_ms, spare, granted - math.min(need, limit))
    local member = grant_id
    if granted > 1 then
      member = member .. '*' .. granted
      redis.call('ZADD', key, now_us + lease, member, 1 - granted, EXTRA)
    else
      redis.call('ZADD', key, now_us + lease, member)
    end
    expire_after(key, window_ms + math.ceil(lease / 1000), 0)
    local reset_ms = window_ms + math.ceil(lease / 1000)
    return granted, limit - granted, reset_ms, reset_ms
  end
  local extra, had_extra, oldest = 0, false, nil
  if head[1] == EXTRA then
    extra, had_extra, oldest = -tonumber(head[2]), true, head[4]
  else
    oldest = head[2]
  end
  oldest = oldest and tonumber(oldest)

  local members = 0
  -- The TTL the entries already in the set need, when the set was read whole; nil: look it up.
  local known_ttl = nil
  if not had_extra and hand_back == '' and (#head < 6 or tonumber(head[6]) > cutoff) then
    -- Every entry that left the window is among the (up to) three read, each one slot: the set was
    -- read whole, or its third entry is still in. Trim them with one ZREM; the new oldest is the
    -- first read entry still in. A set read whole is counted from the read, a larger one by ZCARD.
    -- So a client seen now and then costs 4 or 5 calls to Redis, never ZREMRANGEBYSCORE and a
    -- second lookup of the oldest: a window whose entries leave about as fast as they come.
    local gone1, gone2 = nil, nil
    oldest = nil
    for i = 1, #head, 2 do
      local score = tonumber(head[i + 1])
      if score > cutoff then
        oldest = score
        break
      end
      if gone1 == nil then gone1 = head[i] else gone2 = head[i] end
    end
    if gone2 then
      redis.call('ZREM', key, gone1, gone2)
    elseif gone1 then
      redis.call('ZREM', key, gone1)
    end
    local gone = (gone2 and 2) or (gone1 and 1) or 0
    if #head < 6 then
      members = #head / 2 - gone
      local latest = tonumber(head[#head])
      known_ttl = math.ceil((latest - now_us) / 1000) + window_ms
    else
      members = redis.call('ZCARD', key)
    end
  else
    if hand_back ~= '' then
      -- Handing back first, so the slots it frees count for this very call.
      local score = redis.call('ZSCORE', key, hand_back)
      if score then
        redis.call('ZREM', key, hand_back)
        extra = extra - (tonumber(string.match(hand_back, '%*(%d+)$') or '1') - 1)
        if hand_back_as ~= '' then
          redis.call('ZADD', key, tonumber(score) - earlier_by_us, hand_back_as)
          extra = extra + (tonumber(string.match(hand_back_as, '%*(%d+)$') or '1') - 1)
        end
        oldest = nil -- it may have been the oldest
      end
    end
    if oldest == nil or oldest <= cutoff then
      if extra > 0 then
        for _, member in ipairs(redis.call('ZRANGEBYSCORE', key, '(0', cutoff)) do
          extra = extra - (tonumber(string.match(member, '%*(%d+)$') or '1') - 1)
        end
      end
      redis.call('ZREMRANGEBYSCORE', key, '(0', cutoff)
      oldest = nil
    end
    members = redis.call('ZCARD', key) - (had_extra and 1 or 0)
    if members <= 0 then
      members, extra = 0, 0 -- no weighted member left: nothing for "#" to add (it is removed below)
    end
  end
  local used = members + extra

  local free = math.max(limit - used, 0)
  local granted = math.min(need, free)
  if spare > 0 and free > granted then
    -- Spare slots are a bet on requests still to come; near the limit, bet at most a quarter of what
    -- is left, so other nodes asking for real requests still find room, and the lease is as much
    -- shorter (lease_us): slots scored at a lease's end are blocked until a window after it.
    granted = granted + math.min(spare, math.floor((free - granted) / 4))
  end

  local lease = lease_us(lease_ms, spare, granted - math.min(need, granted))
  if granted > 0 then
    local member = grant_id
    if granted > 1 then
      member = member .. '*' .. granted
      extra = extra + granted - 1
    end
    redis.call('ZADD', key, now_us + lease, member)
    expire_after(key, window_ms + math.ceil(lease / 1000), known_ttl)
  end
  if extra > 0 then
    redis.call('ZADD', key, -extra, EXTRA)
  elseif had_extra then
    redis.call('ZREM', key, EXTRA)
  end
  used = used + granted

  local reset_ms = 0
  if used > 0 then
    if used == granted then
      -- The grant just added is the only entry: it leaves one window after its score, no need to ask.
      reset_ms = window_ms + math.ceil(lease / 1000)
    else
      if oldest == nil then
        local first = redis.call('ZRANGEBYSCORE', key, '(0', '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
        oldest = tonumber(first[2])
      end
      reset_ms = math.max(math.ceil((oldest + window_us - now_us) / 1000), 0)
    end
  end

  -- Full: a slot frees when the oldest entry leaves, or earlier when a lease still running (a score
  -- in the future) ends and hands back what it did not use: ask again once that hand-back can be in
  -- (the gateway answers locally for a short lease period at most: a long lease elsewhere may hand
  -- back sooner, when its client goes quiet).
  local retry_ms = reset_ms
  if used >= limit then
    local newest = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
    local newest_us = tonumber(newest[2])
    if newest_us and newest_us > now_us then
      retry_ms = math.min(reset_ms, math.ceil((newest_us - now_us) / 1000) + HAND_BACK_MS)
    end
  end

  return granted, math.max(limit - used, 0), reset_ms, retry_ms
end

-- One clock for every gateway node: the Redis server's, read once for the whole batch.
local time = redis.call('TIME')
local now_us = tonumber(time[1]) * 1000000 + tonumber(time[2])
local answers = {}
local stride = #KEYS == 1 and 0 or 9
for i = 1, #KEYS do
  local ok, granted, remaining, reset_ms, retry_ms = pcall(decide, KEYS[i], (i - 1) * stride, now_us)
  local at = (i - 1) * 4
  if not ok then
    -- That window alone fails (say, its key holds something else than a sorted set), as it would
    -- in a call of its own: the other windows of the call are answered. Its answer is the error.
    local err = granted
    granted, remaining, reset_ms, retry_ms = 'ERR ' .. (type(err) == 'table' and tostring(err.err) or tostring(err)), 0, 0, 0
  end
  answers[at + 1], answers[at + 2], answers[at + 3], answers[at + 4] = granted, remaining, reset_ms, retry_ms
end
return answers
