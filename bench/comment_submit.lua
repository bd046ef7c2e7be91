-- POST /api/v1/articles/{slug}/comments as an anonymous reader, each request
-- with its own solved challenge (a replay would be refused). Every wrk run
-- reads its own file (BENCH_PAYLOADS: one JSON body per line); wrk thread k
-- of BENCH_THREADS sends lines k, k+T, k+2T, ...
local out = os.getenv("BENCH_OUT") or "bench/out"
local slug
local lines = {}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init()
  local f = assert(io.open(out .. "/comment_article.txt"))
  slug = f:read("*l")
  f:close()
  local total = tonumber(os.getenv("BENCH_THREADS") or "2")
  local n = 0
  for line in io.lines(os.getenv("BENCH_PAYLOADS")) do
    if n % total == (tid - 1) then
      lines[#lines + 1] = line
    end
    n = n + 1
  end
end
local sent = 0
request = function()
  sent = sent + 1
  -- Past the last line the body is empty: a 422 that wrk counts as non-2xx.
  return wrk.format("POST", "/api/v1/articles/" .. slug .. "/comments", {
    ["Content-Type"] = "application/json",
  }, lines[sent] or "{}")
end
