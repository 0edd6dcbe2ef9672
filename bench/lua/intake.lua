-- slipway — wrk script for bench/jobs.sh: POST /v1/jobs, recording the ID of every job the
-- server acknowledged (201) in the file given after `--`, one per line, flushed at once so
-- the list is exact even if the server is killed mid-run.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"intake","image":"slipway-test/busybox:latest","script":["true"],"worker":"host"}'

local out

function init(args)
  out = assert(io.open(args[1], "a"))
  out:setvbuf("no")
end

function response(status, headers, body)
  if status == 201 then
    local id = body:match('"id":(%d+)')
    if id then out:write(id, "\n") end
  end
end
