-- Reads one sliding window as the limiter counts it, without changing it (admin's /__limits).
--
-- KEYS[1]  the window (see sliding-window.lua: members "<grant id>" or "<grant id>*<weight>")
-- ARGV[1]  window length in milliseconds
--
-- Returns { slots counted in the window, members holding them, ms until the oldest leaves (0 if none) }
-- Entries past the window that the limiter has not trimmed yet are not counted. A lease's slots
-- count from their grant on, scored at the lease's end: a node may not have used them yet.

local window_us = tonumber(ARGV[1]) * 1000
local time = redis.call('TIME')
local now_us = tonumber(time[1]) * 1000000 + tonumber(time[2])

local entries = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. (now_us - window_us), '+inf', 'WITHSCORES')
local slots = 0
for i = 1, #entries, 2 do
  local member = entries[i]
  local star = string.find(member, '*', 1, true)
  slots = slots + (star and tonumber(string.sub(member, star + 1)) or 1)
end

local reset_ms = 0
if #entries > 0 then
  reset_ms = math.max(math.ceil((tonumber(entries[2]) + window_us - now_us) / 1000), 0)
end
return { slots, #entries / 2, reset_ms }
