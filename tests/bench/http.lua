-- http.lua — the wrk script of every HTTP benchmark of tests/bench (bench.py).
--
-- What it sends, from the environment (read once per wrk thread):
--   BENCH_MODE   post   POST the body of BENCH_BODY (a file) to the URL's path
--                ids    GET <BENCH_PREFIX><id>, cycling over the ids of BENCH_IDS
--                get    GET the URL's path as given (with its query string)
--   BENCH_TOKEN  the bearer token sent with every request
--   BENCH_RATE   0 (default): closed loop, each connection sends its next request
--                as soon as it has its answer (wrk's normal mode: capacity).
--                N > 0: paced, N requests per second in all: each wrk thread
--                keeps a schedule of one slot every BENCH_THREADS/N seconds and
--                delay() hands the next slot to whichever connection asks, so
--                the offered rate does not depend on the latency as long as
--                some connection is free (an open loop when connections are
--                plentiful). Slots missed by more than a second are dropped.
--   BENCH_THREADS  the -t given to wrk (needed to split BENCH_RATE)
--
-- What it measures: every status is counted (response()), so that "zero errors"
-- means every answer was the one expected, not merely "2xx"; done() prints one
-- line "BENCHJSON {...}" with the counts, wrk's socket errors and the latency
-- percentiles (microseconds), which bench.py parses.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk, bench_timespec *ts);
]]
local ts = ffi.new("bench_timespec")

local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local mode = os.getenv("BENCH_MODE") or "post"
local token = os.getenv("BENCH_TOKEN") or ""
local rate = tonumber(os.getenv("BENCH_RATE") or "0") or 0
local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1") or 1

wrk.headers["Authorization"] = "Bearer " .. token
if mode == "post" then
  local f = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
  wrk.method = "POST"
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

-- per thread (each wrk thread has its own Lua state)
statuses = {}
local ids, prefix, nids, idx = nil, nil, 0, 0
local interval, next_slot = 0, 0

function init(args)
  if mode == "ids" then
    ids = {}
    prefix = os.getenv("BENCH_PREFIX") or "/v1/dossiers/"
    for line in io.lines(os.getenv("BENCH_IDS")) do
      if line ~= "" then
        nids = nids + 1
        ids[nids] = line
      end
    end
    -- threads start at different places in the list
    idx = math.random(nids)
  end
  if rate > 0 then
    interval = 1000.0 * nthreads / rate
    next_slot = now_ms()
  end
end

if mode == "ids" then
  function request()
    idx = idx % nids + 1
    return wrk.format("GET", prefix .. ids[idx])
  end
end

if rate > 0 then
  function delay()
    local t = now_ms()
    next_slot = next_slot + interval
    if next_slot < t - 1000 then
      next_slot = t - 1000
    end
    local d = next_slot - t
    if d < 0 then
      return 0
    end
    return d
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local st = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do
      st[#st + 1] = string.format('[%d,%d]', k, v)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"mean":%.1f,"stdev":%.1f,"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d},' ..
    '"statuses":[%s]}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9), latency.max,
    table.concat(st, ",")))
end
