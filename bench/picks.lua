-- wrk script: POST /v1/ops/orders/{id}/pick, each request finishing the next order of QC_PICKS ("<order id>\t<body>",
-- from bench/payments_setup.py picks: paid on the sandbox's page, its total held, its pick started, every other one a
-- line short) with the admin's bearer token (QC_ADMIN): the pick's decision and the capture it asks of the outbox.
local token = os.getenv("QC_ADMIN")
local picks = {}
for line in io.lines(os.getenv("QC_PICKS")) do
  local id, body = line:match("^([^\t]+)\t(.+)$")
  picks[#picks + 1] = { id = id, body = body }
end
local next_pick = 0

request = function()
  next_pick = next_pick + 1
  local pick = picks[(next_pick - 1) % #picks + 1] -- past the end, a pick again: a 409, counted as an error
  return wrk.format("POST", "/v1/ops/orders/" .. pick.id .. "/pick", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, pick.body)
end

dofile("bench/result.lua")
