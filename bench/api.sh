#!/usr/bin/env bash
# slipway — REST API benchmark.
#
# Usage: bench/api.sh [seconds [rounds]]   (default 10 s per measurement, 3 rounds; the
#        figures are medians over the rounds, with their range: on this 2-core machine one
#        10 s run of the list moves by +-25%)
#
# 1. With 100,000 jobs in the store (1% running, the rest spread over the other statuses),
#    `wrk -t2 -c64` against GET /healthz, GET /v1/jobs/{id} (random ids) and
#    GET /v1/jobs?status=running&limit=50, one after the other against the same server in the
#    same run. Prints req/s, p99 and the ratio to /healthz. The lookup's random ids come from
#    bench/lua/paths.lua, so /healthz is measured through the same script as well, and the
#    lookup's ratio is taken against that (plain /healthz is printed too).
#    Targets: job lookup >= 0.5x /healthz; filtered list p99 <= 10 ms.
# 2. 1,000 /v1/events subscribers (slipway-sse-bench, bench/SSEBench: one compiled epoll client;
#    the Python client measured itself), then a burst of 1,000 job submissions: the p99 delay
#    from each job's created_at to its arrival at a subscriber.
#
# The server is `slipway serve` (release, log level error, no Docker engine: jobs stay
# pending), started and stopped by PID on a free port. The machine has 2 cores shared with
# the load generators: the script prints `uptime` before and after.
# Needs: swift, wrk, python3, curl.
set -euo pipefail
seconds=${1:-10}
rounds=${2:-3}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/lib.sh
command -v wrk >/dev/null || apt_install wrk
require_swift
python=${SLIPWAY_PYTHON:-python3}

work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-api-bench.XXXXXX")
server=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
ulimit -n 65536 || true

log "building slipway (release)"
swift build -c release --static-swift-stdlib --product slipway >/dev/null
swift build -c release --static-swift-stdlib --product slipway-sse-bench >/dev/null
binary=$(swift build -c release --static-swift-stdlib --show-bin-path)/slipway
sse_bench=$(swift build -c release --static-swift-stdlib --show-bin-path)/slipway-sse-bench
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/slipway.yml" <<YAML
listen: ["127.0.0.1:$port"]
data_dir: $work/data
log_level: error
docker:
  host: unix://$work/no-docker.sock
workers:
  host:
    allow_api_submissions: true
http:
  max_connections: 100000
YAML

start_server() {
    "$binary" serve --config "$work/slipway.yml" >"$work/server.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
    die "the server did not start: $(tail -5 "$work/server.log")"
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }

log "creating the schema, then 100,000 jobs"
start_server
stop_server
"$python" - "$work/data/slipway.db" <<'PY'
import json, random, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
random.seed(7)
statuses = ["success"] * 60 + ["failed"] * 20 + ["canceled"] * 9 + ["pending"] * 5 + ["skipped"] * 5 + ["running"] * 1
now = int(time.time() * 1000) - 100_000 * 1000
rows = []
for i in range(100_000):
    status = random.choice(statuses)
    rows.append((f"job{i}", "busybox", json.dumps(["make"]), "{}", random.choice(["host", "dind"]), 3600000,
                 f"group/app{i % 50}", None, "build", random.choice(["main", "dev"]), status, now + i * 1000))
db.executemany("INSERT INTO jobs (name, image, script, variables, worker, timeout_ms, project, pipeline_id, stage, ref, status, created_at_ms)"
               " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", rows)
db.commit()
print("running jobs:", db.execute("SELECT count(*) FROM jobs WHERE status='running'").fetchone()[0])
PY
start_server
uptime

measure() { # name path [lua script args...]: appends "rps p99_ms" to $work/name.runs
    local name=$1 path=$2
    shift 2
    wrk -t2 -c64 -d"${seconds}s" --latency ${1:+-s "$root/bench/lua/paths.lua"} "http://127.0.0.1:$port$path" ${1:+-- "$@"} >"$work/$name.txt"
    grep -h "Non-2xx\|Socket errors" "$work/$name.txt" || true
    awk '/Requests\/sec/ {rps = $2}
         $1 == "99%" {v = $2; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else if (v ~ /s$/) v = v * 1000; p99 = v}
         END {print rps, p99}' "$work/$name.txt" >>"$work/$name.runs"
}
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
column_median() { awk -v c="$2" '{print $c}' "$work/$1.runs" | median; }
column_range() { awk -v c="$2" '{print $c}' "$work/$1.runs" | sort -g | awk -v c="$2" 'NR == 1 {lo = $1} {hi = $1} END {printf (c == 1 ? "%.0f-%.0f" : "%.2f-%.2f"), lo, hi}'; }
log "wrk -t2 -c64 -d${seconds}s, $rounds rounds, the four measurements alternating"
curl -sf "http://127.0.0.1:$port/v1/jobs/1" >/dev/null
curl -sf "http://127.0.0.1:$port/v1/jobs?status=running&limit=50" >/dev/null
# The lookup needs a script for its random ids; /healthz runs once plainly and once through
# the same script, and the ratio is taken against the latter: like for like on the client side.
for _ in $(seq "$rounds"); do
    measure healthz-plain /healthz
    measure healthz /healthz /healthz
    measure job /v1/jobs/1 '/v1/jobs/%d' 100000
    measure list "/v1/jobs?status=running&limit=50"
done
ratio() { awk "BEGIN {printf \"%.2f\", $1 / $2}"; }
row() { # label name [ratio]
    printf '%-44s %10.0f %15s %10.2f %13s %8s\n' "$1" "$(column_median "$2" 1)" "$(column_range "$2" 1)" "$(column_median "$2" 2)" "$(column_range "$2" 2)" "${3:-}"
}
echo "medians of $rounds runs (range)"
printf '%-44s %10s %15s %10s %13s %8s\n' "endpoint" "req/s" "(range)" "p99 ms" "(range)" "ratio"
row "GET /healthz (plain wrk)" healthz-plain
row "GET /healthz (paths.lua)" healthz 1.00
row "GET /v1/jobs/{id} (paths.lua, random ids)" job "$(ratio "$(column_median job 1)" "$(column_median healthz 1)")"
row "GET /v1/jobs?status=running&limit=50" list "$(ratio "$(column_median list 1)" "$(column_median healthz-plain 1)")"
echo "targets: job lookup >= 0.50 of /healthz (like for like: both through paths.lua); list p99 <= 10 ms"

log "SSE: 1,000 subscribers, a burst of 1,000 submissions"
"$sse_bench" "$port" 1000 1000 120 >"$work/fanout.txt" &
fanout=$!
for _ in $(seq 600); do grep -q connected "$work/fanout.txt" 2>/dev/null && break; sleep 0.1; done
"$python" - "$port" <<'PY'
import http.client, json, sys, time
from concurrent.futures import ThreadPoolExecutor
port = int(sys.argv[1])
body = json.dumps({"name": "burst", "image": "busybox", "script": ["true"], "worker": "host"})
def submit(_):
    connection = http.client.HTTPConnection("127.0.0.1", port)
    for _ in range(125):
        connection.request("POST", "/v1/jobs", body, {"Content-Type": "application/json"})
        assert connection.getresponse().read() and True
started = time.time()
with ThreadPoolExecutor(8) as pool:
    list(pool.map(submit, range(8)))
print(f"submitted 1000 jobs in {time.time() - started:.2f}s", file=sys.stderr)
PY
wait "$fanout"
"$python" - "$work/fanout.txt" <<'PY'
import json, sys
report = json.loads(open(sys.argv[1]).read().splitlines()[-1])
complete = sum(1 for s in report["subscribers"] if s["count"] == 1000 and s["contiguous"])
print(f"subscribers with all 1000 events in order: {complete}/{len(report['subscribers'])}")
print(f"delivery delay (created_at -> received): p50 {report['p50']*1000:.1f} ms, p99 {report['p99']*1000:.1f} ms, max {report['max']*1000:.1f} ms")
PY
uptime
