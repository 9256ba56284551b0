-- wrk script for make bench: requests go to the paths in $BENCH_PATHS in turn (every cancel hits its own live job),
-- with $BENCH_METHOD and the bench's key; at the end one JSON line of results, as bench/loadgen.py prints.
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local method = os.getenv("BENCH_METHOD")
local headers = {["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"), ["Content-Length"] = "0"}
local next_path = 0

request = function()
  next_path = next_path % #paths + 1
  return wrk.format(method, paths[next_path], headers)
end

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "p50_us": %d, "p99_us": %d, "refused": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50), latency:percentile(99), errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
