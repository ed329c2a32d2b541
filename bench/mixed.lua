-- bench/mixed.lua — wrk script of bench/mixed.sh: a daily's readers on a site made by bench/generate.py.
--
--   ARTICLES=10000 ZIPF_S=1.0 wrk -t2 -c64 -d20s --latency -s bench/mixed.lua http://127.0.0.1:PORT/
--
-- 10 % home page, 5 % section fronts (/rubrika-1 … /rubrika-8), the rest an article drawn from a Zipf distribution
-- over the articles by age: the newest (statia-1) most read, the k-th newest read 1/k^ZIPF_S as often. Every
-- request accepts gzip, as browsers do. At the end it prints the responses' X-Cache counts:
--   CACHE hits <n> misses <n> other <n>
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local zipf = dofile("bench/zipf.lua")

function init(args)
  zipf.setup(tonumber(os.getenv("ARTICLES") or "10000"), tonumber(os.getenv("ZIPF_S") or "1.0"))
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  hits, misses, other = 0, 0, 0
end

local headers = { ["Accept-Encoding"] = "gzip" }

function request()
  local r = math.random()
  local path
  if r < 0.10 then
    path = "/"
  elseif r < 0.15 then
    path = "/rubrika-" .. math.random(1, 8)
  else
    local i = zipf.draw()
    path = "/rubrika-" .. (1 + i % 8) .. "/statia-" .. i
  end
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  local x = headers["X-Cache"] or headers["x-cache"]
  if x == "HIT" then hits = hits + 1 elseif x == "MISS" then misses = misses + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local h, m, o = 0, 0, 0
  for _, t in ipairs(threads) do
    h = h + t:get("hits")
    m = m + t:get("misses")
    o = o + t:get("other")
  end
  io.write(string.format("CACHE hits %d misses %d other %d\n", h, m, o))
end
