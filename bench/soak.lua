-- bench/soak.lua — wrk script of bench/soak.sh: a daily's readers on a site made by bench/generate.py, every kind of
-- public request mixed.
--
--   ARTICLES=10000 wrk -t2 -c256 -d60s --latency -s bench/soak.lua http://127.0.0.1:PORT/
--
-- 8 % home page, 4 % section fronts, 5 % searches (a few Bulgarian words), 3 % feeds (RSS, Atom, JSON Feed, a
-- section's RSS), 15 % read beacons (POST /api/reads/ID with a browser's User-Agent, as the page script sends them),
-- the rest an article drawn from a Zipf distribution over the articles by age (the newest most read). At the end it
-- prints the responses by class: STATUS 2xx <n> 3xx <n> 4xx <n> 5xx <n>
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local zipf = dofile("bench/zipf.lua")

function init(args)
  zipf.setup(tonumber(os.getenv("ARTICLES") or "10000"), 1)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  s2, s3, s4, s5 = 0, 0, 0, 0
end

local browser = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
local page = { ["Accept-Encoding"] = "gzip", ["User-Agent"] = browser }
local beacon = { ["User-Agent"] = browser, ["Content-Length"] = "0" }
-- /търсене?q=…: бюджета, съвет, София, общината, "общински съвет"
local searches = {
  "/%D1%82%D1%8A%D1%80%D1%81%D0%B5%D0%BD%D0%B5?q=%D0%B1%D1%8E%D0%B4%D0%B6%D0%B5%D1%82%D0%B0",
  "/%D1%82%D1%8A%D1%80%D1%81%D0%B5%D0%BD%D0%B5?q=%D1%81%D1%8A%D0%B2%D0%B5%D1%82",
  "/%D1%82%D1%8A%D1%80%D1%81%D0%B5%D0%BD%D0%B5?q=%D0%A1%D0%BE%D1%84%D0%B8%D1%8F",
  "/%D1%82%D1%8A%D1%80%D1%81%D0%B5%D0%BD%D0%B5?q=%D0%BE%D0%B1%D1%89%D0%B8%D0%BD%D0%B0%D1%82%D0%B0",
  "/%D1%82%D1%8A%D1%80%D1%81%D0%B5%D0%BD%D0%B5?q=%22%D0%BE%D0%B1%D1%89%D0%B8%D0%BD%D1%81%D0%BA%D0%B8+%D1%81%D1%8A%D0%B2%D0%B5%D1%82%22",
}
local feeds = { "/rss.xml", "/atom.xml", "/feed.json" }

function request()
  local r = math.random()
  if r < 0.08 then
    return wrk.format("GET", "/", page)
  elseif r < 0.12 then
    return wrk.format("GET", "/rubrika-" .. math.random(1, 8), page)
  elseif r < 0.17 then
    return wrk.format("GET", searches[math.random(1, #searches)], page)
  elseif r < 0.19 then
    return wrk.format("GET", feeds[math.random(1, #feeds)], page)
  elseif r < 0.20 then
    return wrk.format("GET", "/rubrika-" .. math.random(1, 8) .. "/rss.xml", page)
  elseif r < 0.35 then
    return wrk.format("POST", "/api/reads/" .. zipf.draw(), beacon, "")
  end
  local i = zipf.draw()
  return wrk.format("GET", "/rubrika-" .. (1 + i % 8) .. "/statia-" .. i, page)
end

function response(status, headers, body)
  if status < 300 then s2 = s2 + 1 elseif status < 400 then s3 = s3 + 1 elseif status < 500 then s4 = s4 + 1 else s5 = s5 + 1 end
end

function done(summary, latency, requests)
  local a, b, c, d = 0, 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("s2")
    b = b + t:get("s3")
    c = c + t:get("s4")
    d = d + t:get("s5")
  end
  io.write(string.format("STATUS 2xx %d 3xx %d 4xx %d 5xx %d\n", a, b, c, d))
end
