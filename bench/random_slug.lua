-- GET /api/v1/articles/<random published slug>
local slugs = {}
for line in io.lines((os.getenv("BENCH_OUT") or "bench/out") .. "/slugs.txt") do
  slugs[#slugs + 1] = line
end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/api/v1/articles/" .. slugs[math.random(#slugs)])
end
