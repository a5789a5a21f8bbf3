-- wrk script: 1 000 hot URLs under /cached/ in turn, from one API key (the limiter counts every
-- request, hits included). After the warm-up every one of them is in the proxy's cache.
local n = 0
request = function()
  n = (n + 1) % 1000
  return wrk.format("GET", "/cached/static?item=" .. n, { ["X-Api-Key"] = "bench-hot" })
end
