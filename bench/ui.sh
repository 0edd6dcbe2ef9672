#!/usr/bin/env bash
# slipway — web pages benchmark.
#
# Usage: bench/ui.sh [runs]   (default 10; every figure is the median over the runs)
#
# With 10,000 jobs in the store (2,000 pipelines of 5 jobs) and one finished job whose log is
# 4 MiB (ANSI colours, GitLab sections, 52,000 lines), headless Chromium (Debian's chromium
# and chromedriver, driven by bench/ui_client.py) loads, each `runs` times in a fresh tab:
#   - /pipelines: time to first byte and to the load event (Navigation Timing);
#   - /jobs/{id}: time to first byte, to the load event, to the log's first lines on screen
#     (the viewer's `slipway-log-first-lines` mark) and, opened at `#L<last line>`, to its last
#     line on screen (`slipway-log-target-shown`);
#   - the page weight: bytes over the wire for the page and its own assets (gzip).
# Peer, side by side in the same browser: the same 4 MiB log as a plain file from Python's
# http.server (the stock static server on this machine), time to first byte and to load.
# Targets: /pipelines load <= 200 ms; the 4 MiB log's first lines <= 500 ms and last line
# <= 1.5 s; own assets <= 60 KB compressed.
#
# The server is `slipway serve` (release, no Docker engine: nothing runs), started and stopped
# by PID on a free port. Prints `uptime` before and after. Needs: swift, python3, chromium,
# chromium-driver, sqlite3 (Python's module).
set -euo pipefail
runs=${1:-10}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/lib.sh
command -v chromedriver >/dev/null || apt_install chromium chromium-driver
require_swift
python=${SLIPWAY_PYTHON:-python3}

work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-ui-bench.XXXXXX")
server=""
peer=""
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
    [ -n "$peer" ] && kill "$peer" 2>/dev/null && wait "$peer" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

log "building slipway (release)"
swift build -c release --static-swift-stdlib --product slipway >/dev/null
binary=$(swift build -c release --static-swift-stdlib --show-bin-path)/slipway
free_port() { "$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
port=$(free_port)
cat >"$work/slipway.yml" <<YAML
listen: ["127.0.0.1:$port"]
data_dir: $work/data
log_level: error
docker:
  host: unix://$work/no-docker.sock
YAML

start_server() {
    "$binary" serve --config "$work/slipway.yml" >"$work/server.log" 2>&1 &
    server=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && return; sleep 0.1; done
    die "the server did not start: $(tail -5 "$work/server.log")"
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }

log "creating the schema, 10,000 jobs in 2,000 pipelines, and a 4 MiB log"
start_server
stop_server
big=$("$python" - "$work/data" <<'PY'
import json, random, sqlite3, sys, time
data = sys.argv[1]
db = sqlite3.connect(f"{data}/slipway.db")
random.seed(7)
now = int(time.time() * 1000) - 3_000_000
statuses = ["success"] * 80 + ["failed"] * 12 + ["canceled"] * 4 + ["skipped"] * 4
stages = ["build", "build", "test", "test", "deploy"]
for p in range(2000):
    created = now + p * 1000
    cursor = db.execute("INSERT INTO pipelines (project, ref, sha, source, created_at_ms) VALUES (?,?,?,?,?)",
                        (f"group/app{p % 40}", random.choice(["main", "dev", "feature/x"]), f"{random.getrandbits(160):040x}", "push", created))
    pipeline = cursor.lastrowid
    rows = []
    for j in range(5):
        status = random.choice(statuses)
        started = created + 500 + j * 100
        rows.append((f"job-{j}", "busybox", json.dumps(["make"]), "{}", "host", 3600000, f"group/app{p % 40}", pipeline, stages[j],
                     "main", status, created, started, started + random.randint(1000, 90000)))
    db.executemany("INSERT INTO jobs (name, image, script, variables, worker, timeout_ms, project, pipeline_id, stage, ref, status,"
                   " created_at_ms, started_at_ms, finished_at_ms) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
db.commit()
big = db.execute("SELECT max(id) FROM jobs").fetchone()[0]
# The 4 MiB log: slipway's own sections, a section per script line, colours, 52,000 lines.
out = []
t = int(time.time()) - 600
out.append(f"[slipway] \x1b[0Ksection_start:{t}:prepare_workspace\r\x1b[0KPreparing the workspace\n")
out.append(f"[slipway] \x1b[0Ksection_end:{t}:prepare_workspace\r\x1b[0K\n")
for step in range(26):
    out.append(f"\x1b[0Ksection_start:{t + step * 10}:script_step_{step + 1}\r\x1b[0K$ make part-{step}\n")
    for i in range(2000):
        n = step * 2000 + i
        if i % 50 == 0:
            out.append(f"\x1b[32;1mok\x1b[0m line {n} of the big log: compiled module {n} in 0.{n % 97:02d} s\n")
        else:
            out.append(f"line {n} of the big log: lorem ipsum dolor sit amet, consectetur adipiscing\n")
    out.append(f"\x1b[0Ksection_end:{t + step * 10 + 9}:script_step_{step + 1}\r\x1b[0K\n")
text = "".join(out).encode()
with open(f"{data}/logs/{big}.log", "wb") as f:
    f.write(text)
with open(f"{data}/../big.log", "wb") as f:
    f.write(text)
print(big, text.count(b"\n"), len(text))
PY
)
read -r big_job big_lines big_bytes <<<"$big"
log "job $big_job: $big_bytes bytes, $big_lines lines"
start_server

peer_port=$(free_port)
(cd "$work" && exec "$python" -m http.server "$peer_port" --bind 127.0.0.1 >"$work/peer.log" 2>&1) &
peer=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$peer_port/big.log" -o /dev/null && break; sleep 0.1; done

echo "load before: $(uptime)"
# The log's last line is a section's end marker, which the viewer hides: the last line on
# screen is the one before it.
"$python" "$root/bench/ui_client.py" --runs "$runs" --base "http://127.0.0.1:$port" --job "$big_job" --lines "$((big_lines - 1))" \
    --peer "http://127.0.0.1:$peer_port/big.log"
echo "load after: $(uptime)"
