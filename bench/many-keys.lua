-- wrk script: every request carries one of 10 000 X-Api-Key values in turn, so the gateway
-- (identity: header:X-Api-Key) sees 10 000 distinct clients, each a few times per second.
-- MANY_KEYS_PATH picks the route (default /static: the 1-second-window route).
local path = os.getenv("MANY_KEYS_PATH") or "/static"
local n = 0
request = function()
  n = (n + 1) % 10000
  return wrk.format("GET", path, { ["X-Api-Key"] = "bench-key-" .. n })
end
