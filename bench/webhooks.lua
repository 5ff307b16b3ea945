-- wrk script: POST /v1/webhooks/psp with pre-signed Stripe events, each with its own event id.
-- QC_EVENTS names a file of "<Stripe-Signature>\t<body>" lines (bench/payments_setup.py events).
local events = {}
for line in io.lines(os.getenv("QC_EVENTS")) do
  local tab = line:find("\t", 1, true)
  events[#events + 1] = { line:sub(1, tab - 1), line:sub(tab + 1) }
end
local next_event = 0

request = function()
  next_event = next_event % #events + 1
  local e = events[next_event]
  return wrk.format("POST", "/v1/webhooks/psp", { ["Content-Type"] = "application/json", ["Stripe-Signature"] = e[1] }, e[2])
end

done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT %.1f %.2f %.2f %.2f %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000, errors))
end
