#!/usr/bin/env bash
# slipway — Docker client baseline: a trivial container's life cycle through slipway's
# Docker client against `docker run --rm` with Debian's CLI, on the same private daemon and
# image.
#
# Usage: bench/docker.sh [runs]     (default 50; 3 warm-up runs each are not counted)
#
#   BENCH_NETWORK=none|host|disabled
#                                the containers' network (default none, as jobs run in tests).
#                                disabled: two client sides against the same CLI runs (with
#                                --network none): NetworkMode none as the CLI sends it (like
#                                for like), and none as slipway creates job containers —
#                                NetworkDisabled plus an /etc/hosts put before the start
#                                (DockerClient.createContainerSkippingNetworkSandbox, the call
#                                the job runtime makes), which skips the engine's network
#                                sandbox; the CLI cannot send NetworkDisabled.
#   BENCH_STRATEGY=remove|autoremove
#                                remove (default): create, register a wait for next-exit,
#                                start, read the exit code, DELETE — how slipway runs a job
#                                (it drains the log before removing). autoremove: AutoRemove
#                                and wait for `removed`, what `docker run --rm` does.
#
# Each run of our side is `true` in slipway-test/busybox, on keep-alive connections of one
# process (no process start per run). Each CLI run is
# `/usr/bin/docker --host <private socket> run --rm --network <none|host> <image> true`,
# spawned by the same benchmark process and timed from spawn to exit. The sides alternate,
# one run of each per round, taking every order of the sides in turn. Prints each side's
# median (with p10/p90) and each client side's ratio to the CLI; the target is <= 0.8x.
#
# The benchmark executable is `slipway-bench` (bench/Sources/slipway-bench), an executable
# target of the package that is not a product; this script builds it in release mode. The
# private daemon is scripts/docker-test-env.sh's: reused if it runs, else started and stopped
# again at the end. Needs: swift, root (or sudo) for the daemon.
set -euo pipefail

root=${SLIPWAY_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$root"
. scripts/lib.sh
require_swift

runs=${1:-50}
if [[ -z ${SLIPWAY_TEST_DOCKER_HOST:-} ]]; then
  if ! scripts/docker-test-env.sh status >/dev/null 2>&1; then
    trap 'scripts/docker-test-env.sh stop >&2 || true' EXIT
  fi
  eval "$(scripts/docker-test-env.sh start)"
fi

log "building slipway-bench (release)"
swift build -c release --static-swift-stdlib --product slipway-bench >&2
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)

log "Docker client vs CLI: $runs runs each, alternating"
"$bin/slipway-bench" docker \
  --runs "$runs" \
  --image "${SLIPWAY_TEST_BUSYBOX_IMAGE:-slipway-test/busybox:latest}" \
  --cli "${SLIPWAY_TEST_DOCKER_CLI:-/usr/bin/docker}" \
  --host "$SLIPWAY_TEST_DOCKER_HOST" \
  --network "${BENCH_NETWORK:-none}" \
  --strategy "${BENCH_STRATEGY:-remove}"
