#!/usr/bin/env bash
# scripts/deploy-test.sh: tests deploy/ end to end against the private test Docker daemon.
#
#   scripts/deploy-test.sh
#
#  1. builds the Debian bookworm base with debootstrap from this machine's Debian mirror and
#     imports it (deploy/base/build-base.sh; cached by package list, so a second run reuses it);
#  2. builds deploy/Dockerfile against it (deploy/build-image.sh; release binary built here);
#  3. runs the image with the test daemon's socket and the data directory mounted at the same
#     paths inside and outside, as a non-root user in the socket's group, --network host;
#  4. checks /healthz, runs a job through the API on the host worker (and on the dind worker
#     when this checkout has `workers.dind`);
#  5. `docker stop`s the container with a job in flight, starts a new one on the same data
#     directory, and checks that the job is still tracked and finishes with its full log;
#  6. runs `slipway backup` in the container while clients keep submitting jobs: the copy
#     opens, passes integrity_check and holds every job acknowledged before it began;
#  7. checks that Docker's HEALTHCHECK reports the container healthy;
#  8. `systemd-analyze verify` on deploy/systemd/slipway.service and `docker-compose config`
#     on both compose files.
#
# It starts the private test daemon if needed (scripts/docker-test-env.sh start) and leaves
# it running. Everything it creates carries the label org.slipway.deploy-test=<run id> or
# lives under $SLIPWAY_DEPLOY_TEST_DIR (default /var/tmp/slipway-deploy-test/<run id>), and
# is removed at the end (set SLIPWAY_DEPLOY_TEST_KEEP=1 to keep the directory).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

[ "$(id -u)" -eq 0 ] || die "run as root: debootstrap and the same-path data mount need it"
apt_install debootstrap docker-compose systemd curl python3 binutils
require_swift
eval "$(scripts/docker-test-env.sh start)"
export DOCKER=$SLIPWAY_TEST_DOCKER_CLI
SOCK=$SLIPWAY_TEST_DOCKER_SOCKET

RUN_ID=$$-$(date +%s)
ROOT=${SLIPWAY_DEPLOY_TEST_DIR:-/var/tmp/slipway-deploy-test}/$RUN_ID
DATA=$ROOT/data # the same absolute path on the host and in the container
IMAGE=slipway-deploy/slipway:test
LABEL=org.slipway.deploy-test=$RUN_ID
SLIPWAY_UID=10001
mkdir -p "$DATA" "$ROOT/backups"
chown "$SLIPWAY_UID" "$DATA" "$ROOT/backups"
started=$SECONDS
pass=0
ok() { pass=$((pass + 1)); log "ok: $*"; }
fail() { log "FAIL: $*"; exit 1; }
dk() { "$DOCKER" "$@"; }

cleanup() {
  local status=$?
  # Our slipway containers, then the job containers of our slipway instance (by label).
  dk ps -aq --filter "label=$LABEL" | xargs -r "$DOCKER" rm -f >/dev/null 2>&1 || true
  if [ -s "$DATA/instance" ]; then
    dk ps -aq --filter "label=slipway.instance=$(cat "$DATA/instance")" | xargs -r "$DOCKER" rm -f -v >/dev/null 2>&1 || true
  fi
  if [ "${SLIPWAY_DEPLOY_TEST_KEEP:-0}" != 1 ]; then rm -rf "$ROOT"; else log "kept $ROOT"; fi
  [ $status -eq 0 ] || log "deploy test failed after $((SECONDS - started))s"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=$(free_port)
URL=http://127.0.0.1:$PORT

# --- 1 and 2: base and image ------------------------------------------------------------------
log "building the base image and $IMAGE"
t0=$SECONDS
BASE=$(deploy/base/build-base.sh)
BASE_IMAGE=$BASE DOCKER_GID=$(stat -c %g "$SOCK") SLIPWAY_UID=$SLIPWAY_UID deploy/build-image.sh "$IMAGE" >/dev/null
size=$(dk image inspect -f '{{.Size}}' "$IMAGE")
ok "image $IMAGE from $BASE built in $((SECONDS - t0))s, $((size / 1000000)) MB"
[ "$size" -le 150000000 ] || fail "the image is larger than 150 MB"

# --- 3: run ----------------------------------------------------------------------------------
HAS_DIND=0
grep -q '"dind"' Sources/Application/SlipwayConfiguration*.swift && HAS_DIND=1
cat >"$ROOT/slipway.yml" <<EOF
listen: ["127.0.0.1:$PORT"]
data_dir: $DATA
docker:
  host: unix://$SOCK
workers:
  stop_grace_period: 2s
  host:
    network: none
    allowed_projects: ["deploy/test"]
    allow_api_submissions: true
EOF
if [ "$HAS_DIND" = 1 ]; then
  # `--privileged` fails on some machines: the explicit capability set instead.
  cat >>"$ROOT/slipway.yml" <<EOF
  dind:
    image: slipway-test/dind:latest
    concurrency: 1
    warm: 0
    privileged: $([ "${SLIPWAY_TEST_DIND_PRIVILEGED:-0}" = 1 ] && echo true || echo false)
    # The inner daemon, like the test daemon, has no iptables and no bridge here.
    daemon_args: ["--bridge=none", "--iptables=false", "--ip-forward=false", "--ip-masq=false", "--storage-driver=overlay2"]
EOF
fi
chmod 644 "$ROOT/slipway.yml"

start_slipway() {
  dk run -d --label "$LABEL" --network host --stop-timeout 15 \
    -v "$SOCK:$SOCK" -v "$DATA:$DATA" -v "$ROOT/backups:$ROOT/backups" \
    -v "$ROOT/slipway.yml:/etc/slipway/slipway.yml:ro" \
    -e SLIPWAY_HEALTHCHECK_URL="$URL/healthz" "$IMAGE"
}
wait_healthz() {
  local i
  for i in $(seq 1 200); do
    curl -fsS -o /dev/null "$URL/healthz" 2>/dev/null && return 0
    sleep 0.05
  done
  return 1
}
CID=$(start_slipway)
wait_healthz || { dk logs "$CID" >&2; fail "/healthz did not answer"; }
ok "/healthz answers on $URL; running as $(dk exec "$CID" id -un) ($(dk exec "$CID" id -G))"
[ "$(dk exec "$CID" id -u)" = "$SLIPWAY_UID" ] || fail "slipway does not run as uid $SLIPWAY_UID"
dk exec "$CID" git --version >/dev/null || fail "git does not run in the image"

json() { python3 -c 'import json, sys; d = json.load(sys.stdin); print(d'"$1"')'; }
submit() { # worker script-json -> id
  curl -fsS -X POST "$URL/v1/jobs" -H 'Content-Type: application/json' \
    -d "{\"name\":\"deploy-test\",\"image\":\"$3\",\"worker\":\"$1\",\"project\":\"deploy/test\",\"script\":$2}" | json '["id"]'
}
status_of() { curl -fsS "$URL/v1/jobs/$1" | json '["status"]'; }
wait_status() { # id wanted... ; waits up to 60 s for a final or wanted status
  local id=$1 i s
  shift
  for i in $(seq 1 600); do
    s=$(status_of "$id")
    for w in "$@"; do [ "$s" = "$w" ] && { echo "$s"; return 0; }; done
    case $s in success | failed | canceled) echo "$s"; return 0 ;; esac
    sleep 0.1
  done
  echo "$s"
}

# --- 4: jobs ----------------------------------------------------------------------
id=$(submit host '["echo hello from $PWD", "test -w \"$PWD\"", "docker version --format {{.Server.APIVersion}}", "mkdir -p made/by/root && echo x > made/by/root/file"]' slipway-test/dind:latest)
s=$(wait_status "$id")
log=$(curl -fsS "$URL/v1/jobs/$id/log")
[ "$s" = success ] || { printf '%s\n' "$log" >&2; fail "host job $id ended $s"; }
grep -q "hello from $DATA/workspaces/$id" <<<"$log" || fail "host job $id did not run in its same-path workspace"
ok "host worker: job $id succeeded in $DATA/workspaces/$id and reached the engine through the socket"
# The job ran as root and left a directory of its own; slipway (uid $SLIPWAY_UID) has a
# container empty the workspace, then removes it.
for _ in $(seq 1 100); do [ -e "$DATA/workspaces/$id" ] || break; sleep 0.1; done
[ ! -e "$DATA/workspaces/$id" ] || { ls -laR "$DATA/workspaces/$id" >&2; fail "the workspace of job $id, written by root, was left behind"; }
ok "workspace: what job $id wrote as root was removed by slipway running as uid $SLIPWAY_UID"

if [ "$HAS_DIND" = 1 ]; then
  id=$(submit dind '["docker version --format {{.Server.Version}}"]' slipway-test/dind:latest)
  s=$(wait_status "$id")
  [ "$s" = success ] || { curl -fsS "$URL/v1/jobs/$id/log" >&2; fail "dind job $id ended $s"; }
  ok "dind worker: job $id succeeded"
else
  log "SKIP: dind worker: this checkout has no workers.dind configuration (issue 6 not merged)"
fi

# --- 5: docker stop with a job in flight, then restart -----------------------------------------
id=$(submit host '["echo before", "sleep 6", "echo after the restart"]' slipway-test/busybox:latest)
[ "$(wait_status "$id" running)" = running ] || fail "job $id did not start"
health=$(dk inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$CID")
t0=$EPOCHREALTIME
dk stop "$CID" >/dev/null
stop_seconds=$(python3 -c "print(f'{$EPOCHREALTIME - $t0:.2f}')")
code=$(dk inspect -f '{{.State.ExitCode}}' "$CID")
[ "$code" = 0 ] || { dk logs "$CID" 2>&1 | tail -20 >&2; fail "slipway exited $code on docker stop"; }
dk logs "$CID" 2>&1 | grep -q 'msg=stopped' || fail "slipway did not log a clean stop"
ok "docker stop: slipway drained and exited 0 in ${stop_seconds}s with job $id running"
dk rm "$CID" >/dev/null
CID=$(start_slipway)
wait_healthz || { dk logs "$CID" >&2; fail "/healthz did not answer after the restart"; }
s=$(status_of "$id")
case $s in running | success) ;; *) fail "after the restart job $id is $s" ;; esac
s=$(wait_status "$id")
log=$(curl -fsS "$URL/v1/jobs/$id/log")
[ "$s" = success ] && grep -q 'after the restart' <<<"$log" || { printf '%s\n' "$log" >&2; fail "job $id ended $s"; }
ok "after the restart job $id was still tracked and finished ($s) with its whole log"

# --- 6: hot backup ---------------------------------------------------------------------------
# `slipway backup` in the container while 4 clients keep submitting jobs: the copy must open,
# pass integrity_check and hold every job acknowledged before the backup began.
codes=$ROOT/submissions
: >"$codes"
body='{"name":"burst","image":"slipway-test/busybox:latest","worker":"host","project":"deploy/test","script":["true"]}'
seq 1 200 | xargs -P 4 -I{} curl -sS -o /dev/null -w '%{http_code}\n' -X POST "$URL/v1/jobs" \
  -H 'Content-Type: application/json' -d "$body" >>"$codes" &
writer=$!
for i in $(seq 1 100); do [ "$(grep -c 201 "$codes")" -ge 20 ] && break; sleep 0.05; done
earlier=$id # job ids count from 1: the jobs submitted before this burst
before=$(($(grep -c 201 "$codes") + earlier))
dk exec "$CID" slipway backup --config /etc/slipway/slipway.yml "$ROOT/backups/live.db" >&2
in_flight=no
kill -0 "$writer" 2>/dev/null && in_flight=yes
wait "$writer"
rows=$(python3 - "$ROOT/backups/live.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
print(db.execute("SELECT count(*) FROM jobs").fetchone()[0])
EOF
)
total=$(($(grep -c 201 "$codes") + earlier))
[ "$in_flight" = yes ] || log "note: the submissions finished before the backup did"
[ "$rows" -ge "$before" ] && [ "$rows" -le "$total" ] ||
  fail "the backup has $rows jobs; $before were acknowledged before it began, $total in all"
ok "slipway backup with submissions in flight ($in_flight): the copy passes integrity_check and has $rows jobs ($before acknowledged before it began, $total by the end)"
dk exec "$CID" slipway backup --config /etc/slipway/slipway.yml "$ROOT/backups/live.db" >/dev/null 2>&1 &&
  fail "backup overwrote an existing file"
ok "backup refuses to overwrite an existing file"

# --- 7: Docker's health check ----------------------------------------------------------------
for i in $(seq 1 150); do
  health=$(dk inspect -f '{{.State.Health.Status}}' "$CID")
  [ "$health" = starting ] || break
  sleep 0.1
done
[ "$health" = healthy ] || fail "HEALTHCHECK reports $health"
ok "HEALTHCHECK reports healthy"

# --- 8: systemd unit and compose files -------------------------------------------------------
# verify needs the unit's ExecStart binary to exist: check a copy whose path points at the
# binary just built (everything else unchanged).
unitdir=$ROOT/systemd
mkdir -p "$unitdir"
binary=$(swift build -c release --static-swift-stdlib --product slipway --show-bin-path)/slipway
sed "s|/usr/local/bin/slipway|$binary|g" deploy/systemd/slipway.service >"$unitdir/slipway.service"
if out=$(systemd-analyze verify "$unitdir/slipway.service" 2>&1) && [ -z "$out" ]; then
  ok "systemd-analyze verify deploy/systemd/slipway.service: clean"
else
  printf '%s\n' "$out" >&2
  fail "systemd-analyze verify reported problems"
fi
for f in deploy/compose/host.yaml deploy/compose/dind.yaml; do
  docker-compose -f "$f" config -q || fail "docker-compose config $f"
  ok "docker-compose config $f"
done

log "deploy test passed: $pass checks in $((SECONDS - started))s"
