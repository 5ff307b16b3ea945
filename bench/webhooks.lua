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

dofile("bench/result.lua") -- defines done(): the RESULT line
