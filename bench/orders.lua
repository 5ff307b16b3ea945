-- wrk script: POST /v1/orders with three lines and a fresh Idempotency-Key per request.
-- The token, store and SKUs come from the environment (bench/orders.sh sets them). With
-- QC_HOT=1 every order takes the same three SKUs (one hot shelf); otherwise each order picks
-- three different SKUs at random from the catalog, as a day of real baskets does.
local token = os.getenv("QC_TOKEN")
local store = os.getenv("QC_STORE")
local zip = os.getenv("QC_ZIP")
local skuCount = tonumber(os.getenv("QC_SKU_COUNT"))
local hot = os.getenv("QC_HOT") == "1"
local counter = 0
local prefix = tostring(os.time()) .. "-" .. tostring(math.random(1, 1e9))

local function body()
  local a, b, c = 1, 2, 3
  if not hot then
    a = math.random(1, skuCount)
    repeat b = math.random(1, skuCount) until b ~= a
    repeat c = math.random(1, skuCount) until c ~= a and c ~= b
  end
  return string.format(
    '{"storeId":"%s","items":[{"skuId":"sku_%d","qty":1},{"skuId":"sku_%d","qty":2},{"skuId":"sku_%d","qty":1}],' ..
    '"address":{"line1":"1 Bench Street","city":"New York","zip":"%s"},"paymentMethod":{"type":"cod"}}',
    store, a, b, c, zip)
end

request = function()
  counter = counter + 1
  return wrk.format("POST", "/v1/orders", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = prefix .. "-" .. counter,
  }, body())
end

dofile("bench/result.lua") -- defines done(): the RESULT line
