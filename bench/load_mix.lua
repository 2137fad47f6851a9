-- The mixed traffic of bench/load.py, one request at a time per connection.
-- Ids come from the file O2C_LOAD_IDS names; results go to its `out` path as JSON.
local ids = dofile(os.getenv("O2C_LOAD_IDS"))
local threads = {}
local counter = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

local function pick(list)
  return list[math.random(#list)]
end

local function key()
  counter = counter + 1
  return string.format("load-%d-%d-%d", tid, os.time(), counter)
end

local function headers(write)
  local h = {["X-API-Key"] = ids.key, ["Accept"] = "application/json"}
  if write then
    h["Content-Type"] = "application/json"
    h["Idempotency-Key"] = key()
  end
  return h
end

local mix = {
  {65, function()
    local r = math.random(4)
    local customer = pick(ids.customers)
    if r == 1 then
      return wrk.format("GET", "/api/v1/invoices?customer_id=" .. customer .. "&limit=20", headers(false))
    elseif r == 2 then
      return wrk.format("GET", "/api/v1/invoices/" .. pick(ids.invoices), headers(false))
    elseif r == 3 then
      return wrk.format("GET", "/api/v1/ledger/customers/" .. customer ..
        "/statement?start=2025-01-01&end=2026-12-31", headers(false))
    end
    return wrk.format("GET", "/api/v1/payments?customer_id=" .. customer .. "&limit=20", headers(false))
  end},
  {15, function()
    local body = string.format(
      '{"customer_id": %d, "lines": [{"product_id": %d, "quantity": "2"}, {"product_id": %d, "quantity": "1"}]}',
      pick(ids.customers), pick(ids.products), pick(ids.products))
    return wrk.format("POST", "/api/v1/orders", headers(true), body)
  end},
  {10, function()
    local body = string.format(
      '{"customer_id": %d, "amount": {"amount": "%d.%02d", "currency": "EUR"}, "method": "wire", "received_on": "2026-03-02"}',
      pick(ids.customers), math.random(10, 500), math.random(0, 99))
    return wrk.format("POST", "/api/v1/payments", headers(true), body)
  end},
  {10, function()
    local i = math.random(#ids.open_invoices)
    local body = string.format(
      '{"customer_id": %d, "amount": {"amount": "1.00", "currency": "EUR"}, "method": "wire", "received_on": "2026-03-02", "allocations": [{"invoice_id": %d, "amount": {"amount": "1.00", "currency": "EUR"}}]}',
      ids.open_customers[i], ids.open_invoices[i])
    return wrk.format("POST", "/api/v1/payments", headers(true), body)
  end},
}

function init(args)
  math.randomseed(os.time() + tid * 7919)
  statuses = {}
end

function request()
  local roll = math.random(100)
  for _, entry in ipairs(mix) do
    if roll <= entry[1] then
      return entry[2]()
    end
    roll = roll - entry[1]
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses")
    for status, n in pairs(seen) do
      counts[tostring(status)] = (counts[tostring(status)] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%s": %d', status, n))
  end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout
  local seconds = summary.duration / 1e6
  local file = io.open(ids.out, "w")
  file:write(string.format(
    '{"count": %d, "seconds": %.3f, "per_second": %.1f, "p50_ms": %.1f, "p90_ms": %.1f,' ..
    ' "p99_ms": %.1f, "max_ms": %.1f, "socket_errors": %d, "statuses": {%s}}',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, errors, table.concat(parts, ", ")))
  file:close()
end
