#!/usr/bin/env bash
# slipway — Docker-in-Docker worker start latency and layer-cache rebuilds, through a real
# `slipway serve` driven with curl.
#
# Usage: bench/dind.sh [runs]      (default 20 per configuration; 1 warm-up run each not counted)
#
# Start latency: the time from `POST /v1/jobs` to the first output of `docker version` inside
# the job (its `Server:` section, i.e. the job's daemon answered), read from
# `GET /v1/jobs/{id}/log?follow=1` as it streams. Measured for
#   host  the host worker (the job gets the host daemon's socket), as the baseline;
#   cold  the dind worker with workers.dind.warm: 0 (a daemon starts for each job);
#   warm  the dind worker with workers.dind.warm: 2 (before each run the script waits until
#         both warm daemons answer /_ping, so every job finds one ready).
# Jobs run one at a time; the next starts after the previous finished and its daemon is gone.
# Prints medians (p10, p90), warm/cold and warm/host ratios. Target: warm <= 1.5x host.
#
# Rebuild: a small multi-step Dockerfile (FROM scratch, COPY, three RUN steps of which two
# sleep 1 s) built in a dind job of one project, with workers.dind.cache: per-project (after
# one priming build) and without a cache; the figure is the job's `duration` (its container's
# run time: the build). BENCH_REBUILDS runs each (default 5).
#
# Environment: SLIPWAY_BIN (use this slipway executable instead of building release),
# BENCH_REBUILDS. The private test daemon is scripts/docker-test-env.sh's (started if needed,
# never stopped: others share it). Daemons run with the explicit capability set unless
# SLIPWAY_TEST_DIND_PRIVILEGED=1. Needs: swift, curl, jq, root for the daemon.
set -euo pipefail

root=${SLIPWAY_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$root"
. scripts/lib.sh
command -v jq >/dev/null || die "jq is needed (apt-get install jq)"
command -v curl >/dev/null || die "curl is needed (apt-get install curl)"

runs=${1:-20}
rebuilds=${BENCH_REBUILDS:-5}
eval "$(scripts/docker-test-env.sh start)"
image=${SLIPWAY_TEST_DIND_IMAGE:-slipway-test/dind:latest}
privileged=$([ "${SLIPWAY_TEST_DIND_PRIVILEGED:-0}" = 1 ] && echo true || echo false)

if [[ -n ${SLIPWAY_BIN:-} ]]; then
  bin=$SLIPWAY_BIN
else
  require_swift
  log "building slipway (release)"
  swift build -c release --static-swift-stdlib --product slipway >&2
  bin="$(swift build -c release --static-swift-stdlib --show-bin-path)/slipway"
fi

work=$(mktemp -d /tmp/slipway-bench-dind.XXXXXX)
sockets="${SLIPWAY_TEST_DOCKER_SCRATCH:-/tmp}/b$$"
api="$work/api.sock"
pid=
instance=
cleanup() {
  if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  fi
  if [[ -n $instance ]]; then
    # Everything this run's slipway created, caches included.
    docker ps -aq --filter "label=slipway.instance=$instance" | xargs -r docker rm -f -v >/dev/null 2>&1 || true
    docker volume ls -q --filter "label=slipway.instance=$instance" | xargs -r docker volume rm -f >/dev/null 2>&1 || true
  fi
  rm -rf "$work" "$sockets"
}
trap cleanup EXIT

# start_slipway WARM CACHE: (re)starts slipway with a dind pool of that many warm daemons.
start_slipway() {
  if [[ -n $pid ]]; then kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=; fi
  cat >"$work/slipway.yaml" <<YAML
listen: ["unix:$api"]
data_dir: $work/data
log_level: warning
docker:
  host: $DOCKER_HOST
workers:
  host:
    network: none
    allow_api_submissions: true
  dind:
    image: $image
    privileged: $privileged
    network: none
    warm: $1
    cache: $2
    concurrency: 2
    socket_dir: $sockets
    daemon_args: ["--bridge=none", "--iptables=false", "--ip-forward=false", "--ip-masq=false", "--storage-driver=overlay2"]
YAML
  "$bin" serve --config "$work/slipway.yaml" >>"$work/slipway.log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do
    curl -sf --unix-socket "$api" http://slipway/readyz >/dev/null 2>&1 && break
    sleep 0.05
  done
  curl -sf --unix-socket "$api" http://slipway/readyz >/dev/null || { cat "$work/slipway.log" >&2; die "slipway did not become ready"; }
  instance=$(cat "$work/data/instance")
}

# submit WORKER PROJECT SCRIPT-JSON → job id
submit() {
  local project=null
  [[ -n $2 ]] && project="\"$2\""
  curl -sf --unix-socket "$api" -H 'Content-Type: application/json' -X POST http://slipway/v1/jobs \
    --data-binary "{\"name\":\"bench\",\"image\":\"$image\",\"worker\":\"$1\",\"project\":$project,\"script\":$3}" | jq -r .id
}

wait_finished() {
  local status
  for _ in $(seq 1200); do
    status=$(curl -sf --unix-socket "$api" "http://slipway/v1/jobs/$1" | jq -r .status)
    case $status in success) return 0 ;; failed|canceled) curl -s --unix-socket "$api" "http://slipway/v1/jobs/$1/log" >&2; die "job $1 $status" ;; esac
    sleep 0.05
  done
  die "job $1 did not finish"
}

# Waits until exactly WARM daemon sockets exist and answer (used daemons are gone).
wait_pool() {
  local ready
  for _ in $(seq 600); do
    ready=0
    for socket in "$sockets"/*/docker.sock; do
      [[ -S $socket ]] && curl -sf --unix-socket "$socket" http://d/_ping >/dev/null 2>&1 && ready=$((ready + 1))
    done
    local dirs
    dirs=$(find "$sockets" -mindepth 1 -maxdepth 1 -type d | wc -l)
    [[ $ready -eq $1 && $dirs -eq $1 ]] && return 0
    sleep 0.05
  done
  die "the warm pool did not reach $1 ready daemons"
}

# start_latency WORKER → milliseconds from POST to the `Server:` line of `docker version`.
start_latency() {
  local t0 t1 id
  t0=$(date +%s%N)
  id=$(submit "$1" "" '["docker version"]')
  curl -sN --unix-socket "$api" "http://slipway/v1/jobs/$id/log?follow=1" | grep -m1 -q '^Server:' || true
  t1=$(date +%s%N)
  wait_finished "$id"
  echo $(( (t1 - t0) / 1000000 ))
}

# stats FILE → "median p10 p90"
stats() {
  sort -n "$1" | awk '{ v[NR] = $1 } END {
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    p10 = v[int(0.1 * (NR - 1)) + 1]; p90 = v[int(0.9 * (NR - 1)) + 1]
    printf "%.0f %.0f %.0f", m, p10, p90 }'
}

log "cold dind (warm: 0) and host worker: $runs runs each, alternating"
start_slipway 0 none
start_latency host >/dev/null; wait_pool 0; start_latency dind >/dev/null   # warm-up
: >"$work/host"; : >"$work/cold"
for i in $(seq "$runs"); do
  wait_pool 0
  if (( i % 2 )); then start_latency host >>"$work/host"; wait_pool 0; start_latency dind >>"$work/cold"
  else start_latency dind >>"$work/cold"; wait_pool 0; start_latency host >>"$work/host"; fi
done

log "warm dind (warm: 2): $runs runs"
start_slipway 2 none
wait_pool 2; start_latency dind >/dev/null   # warm-up
: >"$work/warm"
for _ in $(seq "$runs"); do wait_pool 2; start_latency dind >>"$work/warm"; done

dockerfile='FROM scratch\nCOPY busybox /bin/busybox\nRUN [\"/bin/busybox\", \"sh\", \"-c\", \"sleep 1; echo one > /one\"]\nRUN [\"/bin/busybox\", \"sh\", \"-c\", \"sleep 1; echo two > /two\"]\nRUN [\"/bin/busybox\", \"sh\", \"-c\", \"echo three > /three\"]\n'
build_script="[\"cp /bin/busybox .\", \"printf '$dockerfile' > Dockerfile\", \"DOCKER_BUILDKIT=0 docker build --network none -t rebuild:1 .\"]"
# rebuild PROJECT → the job's duration in milliseconds
rebuild() {
  local id
  id=$(submit dind "$1" "$build_script")
  wait_finished "$id"
  curl -sf --unix-socket "$api" "http://slipway/v1/jobs/$id" | jq -r '.duration * 1000 | floor'
}

log "rebuilds with and without the per-project cache: $rebuilds each"
start_slipway 0 per-project
rebuild bench/cached >/dev/null   # primes the cache
: >"$work/cached"; : >"$work/uncached"
for _ in $(seq "$rebuilds"); do
  rebuild bench/cached >>"$work/cached"
  rebuild "" >>"$work/uncached"   # no project: no cache
done

read -r host_m host_10 host_90 <<<"$(stats "$work/host")"
read -r cold_m cold_10 cold_90 <<<"$(stats "$work/cold")"
read -r warm_m warm_10 warm_90 <<<"$(stats "$work/warm")"
read -r cached_m cached_10 cached_90 <<<"$(stats "$work/cached")"
read -r uncached_m uncached_10 uncached_90 <<<"$(stats "$work/uncached")"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
cat <<REPORT
POST /v1/jobs → first output of \`docker version\` ($runs runs each; median, p10–p90)
  host worker          ${host_m} ms  (${host_10}–${host_90})
  dind cold (warm: 0)  ${cold_m} ms  (${cold_10}–${cold_90})
  dind warm (warm: 2)  ${warm_m} ms  (${warm_10}–${warm_90})
  warm/cold ${warm_m}/${cold_m} = $(ratio "$warm_m" "$cold_m")x    warm/host = $(ratio "$warm_m" "$host_m")x (target <= 1.5x)    cold/host = $(ratio "$cold_m" "$host_m")x
Rebuild of a 5-step Dockerfile, job duration ($rebuilds runs each; median, p10–p90)
  per-project cache    ${cached_m} ms  (${cached_10}–${cached_90})
  no cache             ${uncached_m} ms  (${uncached_10}–${uncached_90})
  cached/uncached = $(ratio "$cached_m" "$uncached_m")x
REPORT
