-- wrk script: POST /v1/payments, each request for the next order of QC_ORDERS (one payment per
-- order), with its own Idempotency-Key. QC_SANDBOX=1 instead creates Checkout Sessions at the sandbox
-- PSP directly, with the form body Stripe.net sends for a two-line order: what the PSP's own share of the time is.
local token = os.getenv("QC_TOKEN")
local sandbox_key = os.getenv("QC_SANDBOX_KEY")
local sandbox = os.getenv("QC_SANDBOX") == "1"
local orders = {}
for line in io.lines(os.getenv("QC_ORDERS")) do orders[#orders + 1] = line end
local next_order = 0
local prefix = tostring(os.time()) .. "-" .. tostring(math.random(1, 1e9))

request = function()
  next_order = next_order + 1
  local order = orders[(next_order - 1) % #orders + 1]
  if sandbox then
    return wrk.format("POST", "/psp-sandbox/v1/checkout/sessions", {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["Authorization"] = "Bearer " .. sandbox_key,
      ["Idempotency-Key"] = prefix .. "-" .. next_order,
    }, "mode=payment&currency=usd&expires_at=" .. (os.time() + 3600)
      .. "&line_items[0][quantity]=1&line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=599"
      .. "&line_items[0][price_data][product_data][name]=Flour&line_items[1][quantity]=1&line_items[1][price_data][currency]=usd"
      .. "&line_items[1][price_data][unit_amount]=499&line_items[1][price_data][product_data][name]=Rice"
      .. "&shipping_options[0][shipping_rate_data][type]=fixed_amount&shipping_options[0][shipping_rate_data][display_name]=Delivery"
      .. "&shipping_options[0][shipping_rate_data][fixed_amount][amount]=299&shipping_options[0][shipping_rate_data][fixed_amount][currency]=usd"
      .. "&success_url=http%3A%2F%2F127.0.0.1%2Fpayments%2Fpay_1%2Freturn&metadata[order_id]=" .. order)
  end
  return wrk.format("POST", "/v1/payments", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = prefix .. "-" .. next_order,
  }, '{"orderId":"' .. order .. '"}')
end

dofile("bench/result.lua") -- defines done(): the RESULT line
