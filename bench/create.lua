-- POST /api/v1/articles as an editor, each with a unique title.
local out = os.getenv("BENCH_OUT") or "bench/out"
local function read(name)
  local f = assert(io.open(out .. "/" .. name))
  local s = f:read("*l")
  f:close()
  return s
end
local token = read("token.txt")
local category = read("category_id.txt")
local author = read("author_id.txt")
local counter = 0
local thread_id
-- bench/bulk_writes.sh: published articles, and each thread stops after
-- BENCH_CREATE_LIMIT of them.
local status = os.getenv("BENCH_CREATE_STATUS")
local limit = tonumber(os.getenv("BENCH_CREATE_LIMIT") or "0")
-- Every wrk thread has its own Lua state with the same random seed: without
-- a number of its own, two threads send the same titles, and on PostgreSQL
-- two transactions then race for the same slug.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
function init()
  math.randomseed(os.time() + (tid or 0))
  thread_id = string.format("%s-%d-%d", tostring(tid or 0), os.time(), math.random(1, 1e9))
end
request = function()
  counter = counter + 1
  local body = string.format(
    '{"title":"Brève n° %s-%d : « essai » à Niamey","body":"Texte de la brève, avec des accents : été, Noël.","category_id":%s,"author_ids":[%s]%s}',
    thread_id, counter, category, author, status and string.format(',"status":"%s"', status) or "")
  return wrk.format("POST", "/api/v1/articles", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end
if limit > 0 then
  local answered = 0
  response = function(status)
    answered = answered + 1
    if answered >= limit then
      wrk.thread:stop()
    end
  end
end
