-- GET /api/v1/metadata/{id} for random seeded ids.
local resources = tonumber(os.getenv("BENCH_RESOURCES") or "100000")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
local counter = 0

request = function()
  counter = counter + 1
  local n = (counter * 7919 + math.random(0, 1000)) % resources + 1
  return wrk.format("GET", string.format("/api/v1/metadata/bench-%07d", n))
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
