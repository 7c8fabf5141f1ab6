-- wrk script: POST a JSON body (BODY) to PATH, or to /api/v1/tasks/{id}/records with ids taken in turn
-- from the space-separated TASK_IDS; prints one machine-readable line at the end.
local path = os.getenv("BENCH_PATH")
local body = os.getenv("BENCH_BODY")
local ids = {}
for id in string.gmatch(os.getenv("TASK_IDS") or "", "%d+") do ids[#ids + 1] = id end
local headers = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"), ["Content-Type"] = "application/json" }
local n = 0
local threads = 0

-- Each wrk thread takes every other task id, so no two requests work on one task at the same moment (of an odd
-- number of ids the last is left out: else both threads would come round to every id, and two attempts recorded on
-- one task at once answer 409 for one of them). So no attempt meets another, each thread needs more ids than its
-- connections: bench-http.sh gives it hundreds for at most 16.
setup = function(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

request = function()
  n = n + 1
  local target = path
  local usable = #ids > 1 and #ids - #ids % 2 or #ids
  if usable > 0 then target = "/api/v1/tasks/" .. ids[((n * 2 + offset) % usable) + 1] .. "/records" end
  if body == nil or body == "" then return wrk.format("GET", target, headers) end
  return wrk.format("POST", target, headers, body)
end

done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("RESULT requests=%d seconds=%.1f rate=%.0f p50=%.2f p99=%.2f errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, errors))
end
