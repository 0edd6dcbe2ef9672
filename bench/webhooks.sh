#!/usr/bin/env bash
# slipway — GitLab webhook benchmarks (issue 8).
#
# Usage: bench/webhooks.sh [seconds [latency_runs]]     (10, 20)
#
# 1. Durable deliveries: `slipway serve` (release) on CPU 0 with one project whose clone_url is
#    a local git repository; `wrk -t1 -c64` on CPU 1 POSTs GitLab's documented push payload
#    (rewritten for that repository's head) to /webhooks/gitlab for N seconds, each with its
#    own X-Gitlab-Event-UUID, and records the pipeline id of every 202 (bench/lua/webhooks.lua).
#    Prints acknowledged deliveries/s and wrk's p99, then checks every acknowledged id against
#    the pipelines table. The pipelines are planned meanwhile (the commit's .gitlab-ci.yml has
#    one job; workers.host.concurrency is 0, so jobs are created and stay pending).
# 2. The same with `kill -9` of slipway half-way, a restart on the same data directory, and the
#    same check: acknowledged pipelines missing from the store must be 0.
# 3. Push-to-first-job-output latency: an empty commit, its push webhook, then the first job's
#    first output line through GET /v1/jobs/{id}/log?follow=true (a one-line job on the host
#    worker of the private Docker daemon); median of N runs (bench/webhooks_client.py).
#
# SECTIONS="intake crash latency" (the default) chooses what runs. Needs: swift, wrk, python3,
# taskset, git, and for latency the private Docker daemon (scripts/docker-test-env.sh; reused
# if running, else started and stopped at the end).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/lib.sh

seconds=${1:-10}
latency_runs=${2:-20}
sections=" ${SECTIONS:-intake crash latency} "
apt_install wrk python3 git
require_swift

log "building slipway (release)"
swift build -c release --static-swift-stdlib --product slipway >&2
binary=$(swift build -c release --static-swift-stdlib --show-bin-path)/slipway
image=${SLIPWAY_TEST_BUSYBOX_IMAGE:-slipway-test/busybox:latest}

work=$(mktemp -d /tmp/slipway-bench-webhooks.XXXXXX)
server_pid=""
stop_docker=0
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
ulimit -n 65536 || true

# The project's repository: one commit with a one-line job.
repo="$work/repo"
git init --quiet -b master "$repo"
cat > "$repo/.gitlab-ci.yml" <<YAML
first:
  image: $image
  script:
    - echo slipway-bench-ready
YAML
git -C "$repo" add -A
GIT_CONFIG_GLOBAL=/dev/null git -C "$repo" -c user.name=bench -c user.email=b@example.com commit --quiet -m "bench"
python3 bench/webhooks_client.py payload Tests/GitLabTests/Fixtures/push.json "$repo" master "$work/push.json" >/dev/null

# start_server DATA_DIR CONCURRENCY DOCKER_HOST: slipway on a free port; sets server_pid and url.
start_server() {
  local data=$1 concurrency=$2 docker=$3 config="$work/slipway-$(basename "$1").yml" logfile="$1.log"
  cat > "$config" <<YAML
listen: ["127.0.0.1:0"]
data_dir: $data
log_level: info
docker:
  host: $docker
http:
  max_connections: 100000
workers:
  host:
    concurrency: $concurrency
    network: none
projects:
  - path: mike/diaspora
    id: 15
    webhook_token: bench-hook-token-0123456789
    clone_url: file://$repo
    clone_token: bench-clone-token-never-logged
    host_worker: true
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

wrk_webhooks() { taskset -c 1 wrk -t1 -c64 -d"$2"s --latency -s bench/lua/webhooks.lua "$1/webhooks/gitlab" -- "$work/push.json" "$3"; }
p99_of() { awk '/^ +99%/ {print $2}' "$1"; }
no_docker="unix://$work/no-docker.sock"

echo "uptime: $(uptime)"
if [[ $sections == *" intake "* ]]; then
  echo "== durable deliveries: POST /webhooks/gitlab, 64 connections, ${seconds}s =="
  start_server "$work/intake" 0 "$no_docker"
  wrk_webhooks "$url" "$seconds" "$work/acked-1.txt" > "$work/wrk-1.txt"
  sleep 2
  planned=$(curl -s "$url/v1/pipelines?limit=1" | python3 -c 'import json,sys; p=json.load(sys.stdin)["pipelines"]; print(p[0]["status"] if p else "-")')
  cleanup_server
  acked=$(wc -l < "$work/acked-1.txt")
  count=$(python3 bench/webhooks_client.py count "$work/intake/slipway.db" "$work/acked-1.txt")
  grep -E 'Requests/sec|Non-2xx|Socket errors' "$work/wrk-1.txt" || true
  echo "acknowledged: $acked in ${seconds}s = $((acked / seconds))/s; p99 $(p99_of "$work/wrk-1.txt"); newest pipeline 2 s later: $planned"
  echo "store: $count"
  grep -c 'bench-clone-token-never-logged' "$work/intake.log" "$work/intake/slipway.db"* | sed 's/^/clone token occurrences /' || true
fi

if [[ $sections == *" crash "* ]]; then
  echo "== durable deliveries with kill -9 half-way =="
  start_server "$work/crash" 0 "$no_docker"
  wrk_webhooks "$url" "$seconds" "$work/acked-2.txt" > "$work/wrk-2.txt" &
  wrk_pid=$!
  sleep "$(awk "BEGIN {print $seconds / 2}")"
  kill -KILL "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
  wait "$wrk_pid" || true
  start_server "$work/crash" 0 "$no_docker"
  ready=$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz")
  cleanup_server
  acked=$(wc -l < "$work/acked-2.txt")
  count=$(python3 bench/webhooks_client.py count "$work/crash/slipway.db" "$work/acked-2.txt")
  echo "acknowledged before the kill: $acked; after restart (healthz $ready) store: $count"
  missing=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['acknowledged_missing'])" "$count")
  [[ $missing == 0 ]] || echo "LOST: $missing acknowledged pipelines are not in the store"
fi

if [[ $sections == *" latency "* ]]; then
  if [[ -z ${SLIPWAY_TEST_DOCKER_HOST:-} ]]; then
    scripts/docker-test-env.sh status >/dev/null 2>&1 || stop_docker=1
    eval "$(scripts/docker-test-env.sh start)"
  fi
  echo "== push → first job output, $latency_runs runs =="
  start_server "$work/latency" 2 "$SLIPWAY_TEST_DOCKER_HOST"
  python3 bench/webhooks_client.py latency "$url" "$repo" Tests/GitLabTests/Fixtures/push.json "$latency_runs"
  cleanup_server
fi
echo "uptime: $(uptime)"
