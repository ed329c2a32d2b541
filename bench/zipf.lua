-- bench/zipf.lua — the articles' popularity for wrk scripts (bench/mixed.lua, bench/soak.lua): an article number
-- from 1 to n drawn from a Zipf distribution, the k-th read 1/k^s as often (article 1, the newest, most read).
--   local zipf = dofile("bench/zipf.lua")   -- wrk runs from the repository's root
--   zipf.setup(n, s); local i = zipf.draw()
local zipf = {}
local cdf, total, n

function zipf.setup(count, s)
  n = count
  cdf = {}
  total = 0
  for k = 1, n do
    total = total + 1 / (k ^ s)
    cdf[k] = total
  end
end

function zipf.draw()
  local u = math.random() * total
  local lo, hi = 1, n
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cdf[mid] < u then lo = mid + 1 else hi = mid end
  end
  return lo
end

return zipf
