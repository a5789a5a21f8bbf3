-- wrk script: every request to the API-key route carries one of the 10 000 keys of bench/out/apikeys.txt
-- (bench/auth-fixtures.py) in turn, each of a consumer of its own: 10 000 consumers.
local keys = {}
for line in io.lines(os.getenv("APIKEYS_FILE") or "bench/out/apikeys.txt") do
  keys[#keys + 1] = line
end
local n = 0
request = function()
  n = n % #keys + 1
  return wrk.format("GET", "/keyed/static", { ["X-Api-Key"] = keys[n] })
end
