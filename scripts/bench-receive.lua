-- wrk script for scripts/bench-receive.sh: posts one prepared OTLP/HTTP protobuf batch
-- (BATCH_FILE) again and again, and counts the answers by status so the shell script can
-- compare acknowledged records with the records on the spool.
local f = assert(io.open(os.getenv("BATCH_FILE"), "rb"))
local batch = f:read("*a")
f:close()

wrk.method = "POST"
wrk.path = "/v1/logs"
wrk.body = batch
wrk.headers["Content-Type"] = "application/x-protobuf"

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok = 0
  refused = 0
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else refused = refused + 1 end
end

function done(summary, latency, requests)
  local acked, other = 0, 0
  for _, t in ipairs(threads) do
    acked = acked + t:get("ok")
    other = other + t:get("refused")
  end
  io.write(string.format("WRK_ACKED %d\nWRK_REFUSED %d\nWRK_SECONDS %.3f\nWRK_P99_MS %.2f\n",
    acked, other, summary.duration / 1e6, latency:percentile(99) / 1000))
end
