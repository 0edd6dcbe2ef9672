#!/usr/bin/env bash
# slipway — the deployment image: size, container start to /healthz ready, idle RSS.
#
# Usage: bench/deploy.sh [runs]      (default 10)
#
# Builds the image as scripts/deploy-test.sh does (deploy/build-image.sh on the cached
# debootstrap base), then, on the private test daemon:
#   size     `docker image inspect -f {{.Size}}` (uncompressed, all layers);
#   start    from `docker run -d` (spawned) to the first 200 from /healthz, polled every 10 ms
#            with curl; each run on a fresh data directory (migrations included), container
#            removed afterwards; median, min and max of the runs;
#   RSS      VmRSS and VmHWM of the slipway process (not tini) after 5 s idle, read from
#            /proc on the host.
# Needs root (debootstrap, same-path data mount). Leaves the test daemon running.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
require_swift
runs=${1:-10}
eval "$(scripts/docker-test-env.sh start)"
export DOCKER=$SLIPWAY_TEST_DOCKER_CLI
SOCK=$SLIPWAY_TEST_DOCKER_SOCKET
IMAGE=slipway-deploy/slipway:bench
LABEL=org.slipway.deploy-bench=$$
ROOT=/var/tmp/slipway-deploy-bench/$$
mkdir -p "$ROOT"
cleanup() {
  "$DOCKER" ps -aq --filter "label=$LABEL" | xargs -r "$DOCKER" rm -f >/dev/null 2>&1 || true
  rm -rf "$ROOT"
}
trap cleanup EXIT

BASE_IMAGE=$(deploy/base/build-base.sh) DOCKER_GID=$(stat -c %g "$SOCK") deploy/build-image.sh "$IMAGE" >/dev/null
size=$("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE")
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

run() { # data-dir -> container id
  mkdir -p "$1" && chown 10001 "$1"
  "$DOCKER" run -d --label "$LABEL" --network host -v "$SOCK:$SOCK" -v "$1:$1" \
    -e SLIPWAY_HEALTHCHECK_URL="http://127.0.0.1:$port/healthz" "$IMAGE" \
    serve --config /etc/slipway/slipway.yml --listen "127.0.0.1:$port" --data-dir "$1" --docker-host "unix://$SOCK"
}

times=()
for i in $(seq 1 "$runs"); do
  t0=$EPOCHREALTIME
  cid=$(run "$ROOT/data-$i")
  until curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; do sleep 0.01; done
  times+=("$(python3 -c "print(round(($EPOCHREALTIME - $t0) * 1000))")")
  "$DOCKER" rm -f "$cid" >/dev/null
done

cid=$(run "$ROOT/data-rss")
until curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null; do sleep 0.01; done
sleep 5
pid=$("$DOCKER" top "$cid" -eo pid,comm | awk '$2 == "slipway" { print $1 }')
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")

printf 'image %s: %.1f MB (%d bytes)\n' "$IMAGE" "$(python3 -c "print($size / 1e6)")" "$size"
printf 'start to /healthz (ms, %d runs): %s\n' "$runs" "${times[*]}"
python3 -c "import statistics as s; t = [int(x) for x in '${times[*]}'.split()]; print(f'  median {s.median(t):.0f} ms, min {min(t)} ms, max {max(t)} ms')"
printf 'idle RSS of slipway in the container: %d KiB (peak %d KiB)\n' "$rss" "$hwm"
