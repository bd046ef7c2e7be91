-- GET /api/v1/articles/<random published slug>
--
-- At most 100,000 slugs, drawn uniformly from all published ones (reservoir
-- sampling), so they still land anywhere in a 1,000,000-article database.
-- With all 900,000 in one Lua table, wrk itself stalled: a random pick from
-- that table gave a p99 of 85–240 ms against the same server that answered
-- picks from a 200,000-slug table with a p99 of 5–6 ms.
local KEEP = 100000
local slugs = {}
local seen = 0
math.randomseed(os.time())
for line in io.lines((os.getenv("BENCH_OUT") or "bench/out") .. "/slugs.txt") do
  seen = seen + 1
  if seen <= KEEP then
    slugs[seen] = line
  else
    local slot = math.random(seen)
    if slot <= KEEP then
      slugs[slot] = line
    end
  end
end
request = function()
  return wrk.format("GET", "/api/v1/articles/" .. slugs[math.random(#slugs)])
end
