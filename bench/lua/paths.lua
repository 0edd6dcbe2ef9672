-- slipway — wrk script for bench/api.sh: GET requests cycling through paths built once in
-- init(), so every request costs the load generator the same whatever its path.
--
--   wrk ... -s paths.lua URL -- /healthz            the same path every time
--   wrk ... -s paths.lua URL -- /v1/jobs/%d 100000  10,000 paths with random ids in 1...100000
--
-- Building a request string per call in request() (wrk.format) costs wrk CPU on the two cores
-- it shares with the server; comparing such a script against plain /healthz charged that cost
-- to the endpoint being measured.

local requests = {}
local next_index = 1

function init(args)
  local template, upper = args[1], tonumber(args[2])
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16) % 1000)
  if upper then
    for i = 1, 10000 do
      requests[i] = wrk.format("GET", string.format(template, math.random(1, upper)))
    end
  else
    requests[1] = wrk.format("GET", template)
  end
  next_index = math.random(1, #requests)
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end
