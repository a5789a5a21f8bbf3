-- wrk script for bench/soak.sh: a fixed rate per connection (delay), mixed traffic, and the
-- answers counted by status, with the hot key's admitted answers counted apart (the limit check).
--   every 2nd request: the hot key;  the others: one of 10 000 keys in turn
--   every 10th request: /retry/flaky/<n>?fail=1 (the first call of each key fails, the retry answers)
local threads = {}
local counter = 0

setup = function(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

init = function(args)
  n = 0
  statuses = {}
  hot_ok = 0
  delay_ms = tonumber(os.getenv("SOAK_DELAY_MS") or "10")
  prefix = os.getenv("SOAK_PREFIX") or "x"
end

delay = function()
  return delay_ms
end

request = function()
  n = n + 1
  if n % 10 == 0 then
    return wrk.format("GET", "/retry/flaky/" .. prefix .. id .. "-" .. n .. "?fail=1",
      { ["X-Api-Key"] = "soak-key-" .. (n % 10000) })
  elseif n % 2 == 0 then
    return wrk.format("GET", "/api/anything/hot", { ["X-Api-Key"] = "soak-hot" })
  else
    return wrk.format("GET", "/api/anything/k", { ["X-Api-Key"] = "soak-key-" .. (n % 10000) })
  end
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  -- A thread's connections interleave: the answer says whose it was (the mock echoes the path).
  if status == 200 and body and body:find("/anything/hot", 1, true) then
    hot_ok = hot_ok + 1
  end
end

done = function(summary, latency, requests)
  local all = {}
  local hot = 0
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, count in pairs(s) do
      all[code] = (all[code] or 0) + count
    end
    hot = hot + thread:get("hot_ok")
  end
  local parts = {}
  for code, count in pairs(all) do
    table.insert(parts, code .. "=" .. count)
  end
  table.sort(parts)
  io.write(string.format("SOAK requests=%d errors=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f hot_ok=%d statuses=%s\n",
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000, hot,
    table.concat(parts, ",")))
end
