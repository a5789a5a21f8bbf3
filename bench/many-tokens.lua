-- wrk script: every request to the JWT route carries one of the 1 000 tokens of bench/out/tokens.txt
-- (bench/auth-fixtures.py) in turn, each for a subject of its own: 1 000 callers, each limited by its sub.
local tokens = {}
for line in io.lines(os.getenv("TOKENS_FILE") or "bench/out/tokens.txt") do
  tokens[#tokens + 1] = "Bearer " .. line
end
local n = 0
request = function()
  n = n % #tokens + 1
  return wrk.format("GET", "/jwt/static", { ["Authorization"] = tokens[n] })
end
