#!/usr/bin/env bash
# slipway — job engine benchmarks (issue "Jobs"): durable intake, start latency against
# `docker run`, and throughput against `xargs -P4 docker run --rm`, in one run.
#
# Usage: bench/jobs.sh [intake_seconds [latency_runs [throughput_jobs]]]   (10, 30, 500)
#
# 1. Durable intake: `slipway serve` with workers.host.concurrency 0 (jobs are stored and
#    held) on CPU 0; `wrk -t1 -c64` on CPU 1 POSTs jobs for N seconds and records the ID of
#    every 201 (bench/lua/intake.lua). Then every acknowledged ID is looked up in the SQLite
#    file. Repeated with `kill -9` of slipway half-way, a restart on the same data directory,
#    and the same check: acknowledged jobs missing from the store must be 0.
# 2. Start latency: POST /v1/jobs → the script's first output line read from
#    GET /v1/jobs/{id}/log?follow=true, against `docker run --rm --network none` → its first
#    stdout line, alternating, medians of N runs each (bench/jobs_client.py).
# 3. Throughput: N trivial jobs at concurrency 4 (submitted at once, timed until all have
#    finished), against `xargs -P4 docker run --rm` of the same image and command.
#
# SECTIONS="intake latency throughput" (the default) chooses what runs.
#
# The Docker daemon is scripts/docker-test-env.sh's private one (reused if running, else
# started and stopped at the end). Needs: swift, wrk, python3, taskset, docker CLI.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/lib.sh

seconds=${1:-10}
latency_runs=${2:-30}
throughput_jobs=${3:-500}
sections=" ${SECTIONS:-intake latency throughput} "

apt_install wrk python3
require_swift

stop_docker=0
if [[ -z ${SLIPWAY_TEST_DOCKER_HOST:-} ]]; then
  scripts/docker-test-env.sh status >/dev/null 2>&1 || stop_docker=1
  eval "$(scripts/docker-test-env.sh start)"
fi
image=${SLIPWAY_TEST_BUSYBOX_IMAGE:-slipway-test/busybox:latest}

log "building slipway (release)"
swift build -c release --static-swift-stdlib --product slipway >&2
binary=$(swift build -c release --static-swift-stdlib --show-bin-path)/slipway

work=$(mktemp -d /tmp/slipway-bench-jobs.XXXXXX)
server_pid=""
cleanup_server() {
  if [[ -n $server_pid ]]; then kill -TERM "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  server_pid=""
}
on_exit() {
  cleanup_server
  rm -rf "$work"
  [[ $stop_docker == 1 ]] && scripts/docker-test-env.sh stop >&2 || true
}
trap on_exit EXIT

# start_server DATA_DIR CONCURRENCY: runs slipway on a free port; sets server_pid and url.
start_server() {
  local data=$1 concurrency=$2 config="$work/slipway-$2.yml" logfile="$1.log"
  cat > "$config" <<YAML
listen: ["127.0.0.1:0"]
data_dir: $data
log_level: info
docker:
  host: $SLIPWAY_TEST_DOCKER_HOST
workers:
  host:
    concurrency: $concurrency
    network: none
    allow_api_submissions: true
YAML
  : > "$logfile"
  taskset -c 0 "$binary" serve --config "$config" >>"$logfile" 2>&1 &
  server_pid=$!
  local port=""
  for _ in $(seq 200); do
    port=$(grep -o 'msg=listening address=127.0.0.1:[0-9]*' "$logfile" | tail -1 | sed 's/.*://' || true)
    [[ -n $port ]] && break
    sleep 0.05
  done
  [[ -n $port ]] || { cat "$logfile" >&2; die "slipway did not start"; }
  url="http://127.0.0.1:$port"
}

# wrk_intake URL SECONDS ACKED_FILE: prints wrk's output.
wrk_intake() {
  taskset -c 1 wrk -t1 -c64 -d"$2"s --latency -s bench/lua/intake.lua "$1/v1/jobs" -- "$3"
}

p99_of() { awk '/^ +99%/ {print $2}' "$1"; }

if [[ $sections == *" intake "* ]]; then
echo "== durable intake: POST /v1/jobs, 64 connections, ${seconds}s, concurrency 0 =="
start_server "$work/intake" 0
wrk_intake "$url" "$seconds" "$work/acked-1.txt" > "$work/wrk-1.txt"
cleanup_server
acked=$(wc -l < "$work/acked-1.txt")
count=$(python3 bench/jobs_client.py count "$work/intake/slipway.db" "$work/acked-1.txt")
echo "acknowledged: $acked in ${seconds}s = $((acked / seconds))/s; p99 $(p99_of "$work/wrk-1.txt"); store: $count"

echo "== durable intake with kill -9 half-way =="
start_server "$work/crash" 0
wrk_intake "$url" "$seconds" "$work/acked-2.txt" > "$work/wrk-2.txt" &
wrk_pid=$!
sleep "$(awk "BEGIN {print $seconds / 2}")"
kill -KILL "$server_pid"
wait "$server_pid" 2>/dev/null || true
server_pid=""
wait "$wrk_pid" || true
start_server "$work/crash" 0
ready=$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz")
cleanup_server
acked=$(wc -l < "$work/acked-2.txt")
count=$(python3 bench/jobs_client.py count "$work/crash/slipway.db" "$work/acked-2.txt")
echo "acknowledged before the kill: $acked; after restart (healthz $ready) store: $count"
missing=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['acknowledged_missing'])" "$count")
[[ $missing == 0 ]] || echo "LOST: $missing acknowledged jobs are not in the store"
fi

if [[ $sections == *" latency "* ]]; then
echo "== start latency: POST → first output line, vs docker run --rm, $latency_runs runs each =="
start_server "$work/latency" 2
python3 bench/jobs_client.py latency "$url" "$image" "$latency_runs" "$SLIPWAY_TEST_DOCKER_HOST"
cleanup_server
fi

if [[ $sections == *" throughput "* ]]; then
echo "== throughput: $throughput_jobs trivial jobs at concurrency 4 vs xargs -P4 docker run --rm =="
start_server "$work/throughput" 4
python3 bench/jobs_client.py throughput "$url" "$image" "$throughput_jobs" 4 "$SLIPWAY_TEST_DOCKER_HOST"
cleanup_server
fi
