-- slipway — wrk script for bench/webhooks.sh: POST /webhooks/gitlab with a real push payload
-- (the file given first after `--`), a distinct X-Gitlab-Event-UUID per request, recording the
-- pipeline ID of every delivery the server acknowledged (202 with a pipeline_id) in the file
-- given second, one per line, unbuffered so the list is exact even if the server is killed.
local body, out, prefix
local counter = 0
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

function init(args)
  local file = assert(io.open(args[1], "rb"))
  body = file:read("*a")
  file:close()
  out = assert(io.open(args[2], "a"))
  out:setvbuf("no")
  prefix = string.format("%08x-%04x-4000-8000-", math.random(0, 0x7fffffff), number or 0)
end

function request()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "GitLab/17.5.1",
    ["X-Gitlab-Event"] = "Push Hook",
    ["X-Gitlab-Token"] = "bench-hook-token-0123456789",
    ["X-Gitlab-Event-UUID"] = prefix .. string.format("%012x", counter),
  }
  return wrk.format("POST", "/webhooks/gitlab", headers, body)
end

function response(status, headers, response_body)
  if status == 202 then
    local id = response_body:match('"pipeline_id":(%d+)')
    if id then out:write(id, "\n") end
  end
end
