-- wrk script: replays pre-signed raw HTTP requests written by bench/sign.py.
--
--   wrk -t T -c C -d D -s bench/replay.lua http://127.0.0.1:PORT/ -- FILE T [RATE]
--
-- FILE holds records "<length>\n<raw request bytes>".
--
-- Without RATE (or RATE 0) wrk runs its closed loop: each connection sends its next request as
-- soon as the previous response is in (saturation).
--
-- With RATE (requests/s, all threads together) the load is paced at that offered rate: each
-- thread keeps a schedule of send times ("slots") T/RATE seconds apart, and wrk's delay() hook
-- (called whenever a connection is ready to send) makes the connection wait for the next
-- unclaimed slot of its thread: delay = max(0, slot - now). Slots advance by a fixed interval
-- whatever happens, so a thread that fell behind sends at once until it has caught up, and the
-- achieved rate is min(RATE, what the server and client can do). A slot that had already passed
-- by more than 1 ms when a connection claimed it means every connection of the thread was busy
-- (the request went out late, and its wait is not in its latency); done() reports those as
-- late_sends. delay() is only defined when pacing, since its mere presence makes wrk put a timer
-- before every request.
--
-- One record (the reads): every request is that record, for the whole -d duration.
--
-- Several records (CreateUser): the records are dealt out to the threads (record i goes to thread
-- i mod T) and each is sent at most once. A thread that has sent all of its records sends nothing
-- more, and stops once the last response is in; the run then ends before -d, and done() reports
-- elapsed_us, the time from the first request sent to the last response received (wrk's own
-- duration would still be -d), so requests/s can be computed for a run that stops after N.
--
-- done() prints one machine-readable line starting with "BENCH ".

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC: comparable across threads
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

-- setup() and done() run in wrk's main Lua state; the rest in each thread's own state.
local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local function load(path, id, step)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  local records, first, pos, index = {}, nil, 1, 0
  while pos <= #data do
    local nl = string.find(data, "\n", pos, true)
    if not nl then break end
    local len = tonumber(string.sub(data, pos, nl - 1))
    local raw = string.sub(data, nl + 1, nl + len)
    first = first or raw
    if index % step == id then
      table.insert(records, raw)
    end
    index = index + 1
    pos = nl + 1 + len
  end
  return records, index, first
end

local records, next_index, single, skip_verify
local interval_us, next_slot_us -- pacing: this thread's time between slots, its next free slot

-- Globals, read by done() through thread:get().
exhausted, sent, received, start_us, end_us, late_sends = 0, 0, 0, 0, 0, 0

local LATE_US = 1000 -- wrk's timers have millisecond resolution: less than that is on time

local function paced_delay()
  local now = now_us()
  if next_slot_us == nil then
    next_slot_us = now
  end
  local slot = next_slot_us
  next_slot_us = slot + interval_us
  if slot <= now then
    if now - slot > LATE_US then
      late_sends = late_sends + 1
    end
    return 0
  end
  return math.floor((slot - now) / 1000) -- whole milliseconds (wrk truncates anyway)
end

local function finite_response()
  received = received + 1
  if exhausted == 1 and received >= sent then
    end_us = now_us()
    wrk.thread:stop()
  end
end

function init(args)
  local path = assert(args[1], "replay.lua: give the request file after --")
  local step = tonumber(args[2] or "1")
  local rate = tonumber(args[3] or "0")
  local id = tonumber(wrk.thread:get("id") or 0)
  local total, first
  records, total, first = load(path, id, step)
  assert(total > 0, "replay.lua: no requests in " .. path)
  if total == 1 then
    single = first
  else
    -- wrk calls request() once on thread 0 to check it, without sending the result.
    skip_verify = (id == 0)
    response = finite_response
  end
  next_index = 1
  if rate and rate > 0 then
    interval_us = step * 1000000 / rate -- each of the step (= T) threads offers rate / T
    delay = paced_delay
  end
end

function request()
  if single then
    return single
  end
  if skip_verify then
    skip_verify = false
    return records[1] -- not sent; index 1 is handed out again below
  end
  local raw = records[next_index]
  if raw == nil then
    -- All of this thread's distinct requests are sent: an empty request writes nothing, and the
    -- connection waits; the thread stops when the last response is in (finite_response).
    exhausted = 1
    if received >= sent and end_us == 0 then
      end_us = now_us()
      wrk.thread:stop()
    end
    return ""
  end
  if start_us == 0 then
    start_us = now_us()
  end
  next_index = next_index + 1
  sent = sent + 1
  return raw
end

function done(summary, latency, requests)
  local e = summary.errors
  local out, first, last, late = 0, nil, 0, 0
  for _, t in ipairs(threads) do
    late = late + (tonumber(t:get("late_sends")) or 0)
    if tonumber(t:get("exhausted")) == 1 then
      out = out + 1
    end
    local s, f = tonumber(t:get("start_us")) or 0, tonumber(t:get("end_us")) or 0
    if s > 0 and (first == nil or s < first) then first = s end
    if f > last then last = f end
  end
  local elapsed = 0
  if out == #threads and first and last > first then
    elapsed = last - first
  end
  io.write(string.format(
    "BENCH requests=%d duration_us=%d elapsed_us=%d bytes=%d p50_us=%d p90_us=%d p99_us=%d "
      .. "max_us=%d status_errors=%d connect_errors=%d read_errors=%d write_errors=%d "
      .. "timeouts=%d exhausted=%d late_sends=%d\n",
    summary.requests, summary.duration, elapsed, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout, out, late))
end
