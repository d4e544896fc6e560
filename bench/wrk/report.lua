-- wrk script for bench/run.py: counts non-2xx responses and, when the run is done,
-- writes one JSON line (prefixed "BENCH_JSON ") with the latency percentiles (ms),
-- requests, duration, socket errors and non-2xx responses (by status) of the whole run.
-- Defining response() makes wrk parse every response; the cost is the client's, not
-- the server's, and it is what lets a 302 to the login page count as a failure.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  statuses = {}
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    statuses[status] = (statuses[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local non, counts = 0, {}
  for _, thread in ipairs(threads) do
    non = non + thread:get("non2xx")
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local other = {}
  for status, n in pairs(counts) do
    table.insert(other, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  local ms = function(us) return us / 1000 end
  io.write(string.format(
    'BENCH_JSON {"seconds": %.6f, "requests": %d, "bytes": %d, "errors": %d, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d}, ' ..
    '"non2xx": %d, "statuses": {%s}, "mean_ms": %.3f, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, ' ..
    '"max_ms": %.3f}\n',
    summary.duration / 1e6, summary.requests, summary.bytes,
    e.connect + e.read + e.write + e.timeout,
    e.connect, e.read, e.write, e.timeout, non, table.concat(other, ", "),
    ms(latency.mean), ms(latency:percentile(50)), ms(latency:percentile(95)),
    ms(latency:percentile(99)), ms(latency.max)))
end
