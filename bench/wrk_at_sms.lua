-- wrk script (bench/intake.py): Africa's Talking inbound SMS, each with a unique message id, one connection
-- per thread so that each response belongs to the request just sent; the ids answered 2xx are written to
-- $WRK_OUT (one a line) and the figures to $WRK_OUT.json when the run ends.
local threads = {}
local counter = 0
local last_id = nil
local run = "r"
local path = "/"
ok = {}
bad = {}

local texts = {
  "My allowance in Baria union was not paid",
  "Payment not received in Basan union, the agent asked for money",
  "আমার বয়স্ক ভাতার টাকা পাইনি। বাড়ীয়া ইউনিয়ন",
  "বাসন ইউনিয়নে বিধবা ভাতা তিন মাস ধরে বন্ধ",
  "I was left off the list in Kashimpur union although I am 70 years old",
}

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function init(args)
  run = os.getenv("WRK_RUN") or "r"
  path = os.getenv("WRK_PATH") or "/"
end

function request()
  counter = counter + 1
  last_id = string.format("ATXbench_%s_%d_%d", run, tid, counter)
  -- 200 senders per thread: a sender writes again now and then (their messages are handled in order)
  local phone = string.format("+88017%02d%06d", tid, counter % 200)
  local text = texts[(counter + tid) % #texts + 1]
  local body = "from=" .. urlencode(phone) .. "&to=21356&text=" .. urlencode(text) ..
               "&date=2026-12-02+08%3A00%3A00&id=" .. last_id .. "&linkId="
  return wrk.format("POST", path, {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok[#ok + 1] = last_id
  else
    bad[#bad + 1] = tostring(status)
  end
end

function done(summary, latency, requests)
  local out = os.getenv("WRK_OUT")
  local f = io.open(out, "w")
  local non2xx = 0
  for _, t in ipairs(threads) do
    for _, id in ipairs(t:get("ok")) do f:write(id, "\n") end
    non2xx = non2xx + #t:get("bad")
  end
  f:close()
  local e = summary.errors
  local j = io.open(out .. ".json", "w")
  j:write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d, "non2xx": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.timeout, non2xx))
  j:close()
end
