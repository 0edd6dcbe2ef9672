#!/usr/bin/env bash
# slipway — the guarded Docker socket against the engine's own socket.
#
# Usage: bench/guarded-socket.sh [runs]     (default 20; 2 warm-up runs each are not counted)
#
# Debian's Docker CLI (/usr/bin/docker, 20.10) runs four scenarios through a job's guarded
# socket (slipway-guard-bench: the same DockerGuard, policy and engine lookups the host worker
# serves a job) and through the private test daemon's own socket:
#   run            docker run --rm --network none <busybox> true
#   build-uncached docker build --no-cache --network none -t … .   (FROM + 2 RUN + COPY)
#   build-cached   the same without --no-cache (every step from the cache)
#   inspect+tag    docker image inspect <busybox> && docker tag <busybox> …
# The two sockets alternate, one run of each per round, the order swapped every round. Each
# figure is the wall time of the CLI process(es), spawned by this script. Prints each side's
# median (with p10/p90) and the ratio guarded/raw; the target is <= 1.10x for each.
#
# The private daemon is scripts/docker-test-env.sh's: reused if it runs, else started and
# stopped again at the end. Needs: swift, python3, root (or sudo) for the daemon.
set -euo pipefail

root=${SLIPWAY_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cd "$root"
. scripts/lib.sh
require_swift

runs=${1:-20}
warmup=2
stop_daemon=0
if [[ -z ${SLIPWAY_TEST_DOCKER_HOST:-} ]]; then
  scripts/docker-test-env.sh status >/dev/null 2>&1 || stop_daemon=1
  eval "$(scripts/docker-test-env.sh start)"
fi
raw=${SLIPWAY_TEST_DOCKER_HOST#unix://}
cli=${SLIPWAY_TEST_DOCKER_CLI:-/usr/bin/docker}
image=${SLIPWAY_TEST_BUSYBOX_IMAGE:-slipway-test/busybox:latest}

log "building slipway-guard-bench (release)"
swift build -c release --static-swift-stdlib --product slipway-guard-bench >&2
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)

work=$(mktemp -d /tmp/sgb.XXXXXX)
guard_pid=""
# The daemon's own state is left alone unless this script started it.
cleanup() {
  [[ -n $guard_pid ]] && kill "$guard_pid" 2>/dev/null && wait "$guard_pid" 2>/dev/null || true
  # The tags both sides made, through the engine's own socket.
  "$cli" --host "unix://$raw" images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null | grep '^sgb-' |
    xargs -r "$cli" --host "unix://$raw" rmi -f >/dev/null 2>&1 || true
  rm -rf "$work"
  if ((stop_daemon)); then scripts/docker-test-env.sh stop >&2 || true; fi
}
trap cleanup EXIT

"$bin/slipway-guard-bench" --engine "$raw" --directory "$work" > "$work/guard.out" &
guard_pid=$!
for _ in $(seq 100); do [[ -s $work/guard.out ]] && break; sleep 0.1; done
guarded=$(head -n 1 "$work/guard.out")
[[ -S $guarded ]] || die "slipway-guard-bench did not start"

# The build context lives in the job's workspace, as a job's would.
context=$work/workspace
printf 'FROM %s\nRUN echo one > /one\nRUN echo two > /two\nCOPY file.txt /file.txt\n' "$image" > "$context/Dockerfile"
echo 'bench' > "$context/file.txt"
export DOCKER_CONFIG=$work/cli-config DOCKER_BUILDKIT=0

# scenario side round → prints microseconds
measure() {
  local scenario=$1 side=$2 round=$3 socket
  [[ $side == guarded ]] && socket=$guarded || socket=$raw
  local docker=("$cli" --host "unix://$socket")
  local start end
  start=$(date +%s%N)
  case $scenario in
    run) "${docker[@]}" run --rm --network none "$image" true ;;
    build-uncached) (cd "$context" && "${docker[@]}" build -q --no-cache --network none -t "sgb-$side:uncached" .) ;;
    build-cached) (cd "$context" && "${docker[@]}" build -q --network none -t "sgb-$side:cached" .) ;;
    inspect+tag) "${docker[@]}" image inspect "$image" && "${docker[@]}" tag "$image" "sgb-$side:tag-$round" ;;
  esac >/dev/null 2>"$work/err" || die "$scenario through the $side socket failed: $(cat "$work/err")"
  end=$(date +%s%N)
  echo $(((end - start) / 1000))
}

scenarios=(run build-uncached build-cached inspect+tag)
uptime | sed 's/^/load before: /' >&2
for scenario in "${scenarios[@]}"; do
  log "$scenario: $runs runs per side (+$warmup warm-up), alternating"
  : > "$work/$scenario.raw"
  : > "$work/$scenario.guarded"
  for round in $(seq $((runs + warmup))); do
    if ((round % 2)); then order=(raw guarded); else order=(guarded raw); fi
    for side in "${order[@]}"; do
      micros=$(measure "$scenario" "$side" "$round")
      ((round > warmup)) && echo "$micros" >> "$work/$scenario.$side"
    done
  done
done
uptime | sed 's/^/load after: /' >&2

python3 - "$work" "${scenarios[@]}" <<'EOF'
import statistics, sys
work, scenarios = sys.argv[1], sys.argv[2:]
def quantile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]
print(f"{'scenario':<16} {'raw ms (p10-p90)':>22} {'guarded ms (p10-p90)':>24} {'ratio':>7}")
for scenario in scenarios:
    sides = {side: [int(line) / 1000 for line in open(f"{work}/{scenario}.{side}")] for side in ("raw", "guarded")}
    medians = {side: statistics.median(values) for side, values in sides.items()}
    cells = {side: f"{medians[side]:.1f} ({quantile(values, 0.1):.1f}-{quantile(values, 0.9):.1f})" for side, values in sides.items()}
    ratio = medians["guarded"] / medians["raw"]
    print(f"{scenario:<16} {cells['raw']:>22} {cells['guarded']:>24} {ratio:>6.2f}x{'' if ratio <= 1.10 else '  (over 1.10x)'}")
EOF
