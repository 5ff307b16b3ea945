-- Shared by the wrk scripts: prints one machine-readable line the bench scripts turn into a table.
-- RESULT <requests/s> <p50 ms> <p95 ms> <p99 ms> <errors: non-2xx or socket>
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.2f %.2f %.2f %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors))
end
