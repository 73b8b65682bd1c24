-- wrk script of bench/search.sh. Settings come from the environment (set by the script):
--   WRK_MODE       fixed (the URL given to wrk) | random (a random window per request) | mix (hot set + random)
--   WRK_SEED       seed of the random windows (each thread adds its number)
--   WRK_SPAN_START first instant of the catalogue (epoch seconds), WRK_SPAN_DAYS its length
--   WRK_MIN_MINUTES, WRK_MAX_MINUTES   length of a random window
--   WRK_HOT_START  epoch seconds of the first of WRK_HOT_COUNT one-day windows (the mix's popular set)
--   WRK_MIX_MISS   share of random windows in the mix
-- done() prints one machine-readable RESULT line (latencies in microseconds).

local mode = os.getenv("WRK_MODE") or "fixed"
local span_start = tonumber(os.getenv("WRK_SPAN_START") or "1767225600") -- 2026-01-01T00:00:00Z
local span_days = tonumber(os.getenv("WRK_SPAN_DAYS") or "730")
local min_minutes = tonumber(os.getenv("WRK_MIN_MINUTES") or "1440")
local max_minutes = tonumber(os.getenv("WRK_MAX_MINUTES") or "10080")
local hot_start = tonumber(os.getenv("WRK_HOT_START") or "1780272000") -- 2026-06-01T00:00:00Z
local hot_count = tonumber(os.getenv("WRK_HOT_COUNT") or "16")
local mix_miss = tonumber(os.getenv("WRK_MIX_MISS") or "0.1")

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("thread_number", counter)
end

function init(args)
  math.randomseed(tonumber(os.getenv("WRK_SEED") or "42") * 1000 + (thread_number or 0))
end

local function iso(t)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", t)
end

local function search(from, to)
  return "/search?starts_at=" .. iso(from) .. "&ends_at=" .. iso(to)
end

-- A window of min..max minutes starting on a random minute of the span: practically never the same twice.
local function random_window()
  local length = 60 * math.random(min_minutes, max_minutes)
  local slots = math.floor((span_days * 86400 - length) / 60)
  local from = span_start + 60 * math.random(0, slots)
  return search(from, from + length)
end

local function hot_window()
  local from = hot_start + 86400 * math.random(0, hot_count - 1)
  return search(from, from + 86400)
end

-- A v2 page: a window of min..max minutes, limit 100, and at random a price bound, both, or zones.
local function v2_page()
  local length = 60 * math.random(min_minutes, max_minutes)
  local slots = math.floor((span_days * 86400 - length) / 60)
  local from = span_start + 60 * math.random(0, slots)
  local path = "/v2/search?starts_at=" .. iso(from) .. "&ends_at=" .. iso(from + length) .. "&limit=100"
  local r = math.random(4)
  if r == 1 then path = path .. "&min_price=" .. math.random(5, 40) end
  if r == 2 then path = path .. "&max_price=" .. math.random(60, 200) end
  if r == 3 then path = path .. "&include=zones" end
  if r == 4 then path = path .. "&min_price=" .. math.random(5, 30) .. "&include=zones" end
  return path
end

if mode == "random" then
  request = function() return wrk.format("GET", random_window()) end
elseif mode == "v2" then
  request = function() return wrk.format("GET", v2_page()) end
elseif mode == "mix" then
  request = function()
    if math.random() < mix_miss then return wrk.format("GET", random_window()) end
    return wrk.format("GET", hot_window())
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d status=%d timeout=%d " ..
    "p50=%d p90=%d p99=%d p999=%d max=%d mean=%.0f\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
