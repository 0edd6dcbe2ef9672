#!/usr/bin/env bash
# docker-test-env.sh: a private Docker Engine for slipway's tests and benchmarks.
#
# Usage:
#   scripts/docker-test-env.sh start    # idempotent; prints `export` lines on stdout
#   scripts/docker-test-env.sh env      # prints the `export` lines if the daemon runs
#   scripts/docker-test-env.sh status   # human-readable state; exit 0 iff running
#   scripts/docker-test-env.sh stop     # stops what `start` started, by PID
#
#   eval "$(scripts/docker-test-env.sh start)"
#
# The daemon is Debian's docker.io (Engine 20.10, API 1.41), started with its own
# data root, exec root, pid file and unix socket under one state directory, with no
# bridge and no iptables, so its containers get a loopback-only network. Nothing can be
# pulled on these machines, so the two test images are built offline with
# `docker import`:
#   slipway-test/busybox:latest  Debian's busybox-static, CMD ["sh"]
#   slipway-test/dind:latest     the host's dockerd/containerd/runc/docker binaries and
#                                their shared libraries, plus busybox; usable as a dind
#                                daemon image and as a job image (sh + docker CLI).
#
# Environment (all optional):
#   SLIPWAY_TEST_DOCKER_DIR            state directory (default /var/tmp/slipway-test-docker;
#                                      kept between runs so images survive)
#   SLIPWAY_TEST_DOCKER_START_TIMEOUT  seconds to wait for /_ping (default 30)
#   SLIPWAY_TEST_DOCKER_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL (default 20)
#   SLIPWAY_TEST_DOCKER_CONTAINER_STOP_TIMEOUT  grace period for containers still
#                                      running at `stop` (default 2)
#   SLIPWAY_TEST_DOCKER_STORAGE_DRIVER storage driver (default: dockerd's choice, overlay2)
#
# State directory layout:
#   docker.sock  the daemon's API socket        dockerd.pid  its PID (written by dockerd)
#   dockerd.log  daemon + containerd log        daemon.json  its config (replaces /etc/docker)
#   data/        --data-root                    exec/        --exec-root (containerd socket,
#   env          the `export` lines                          containerd.pid, netns, shims)
#   s/           scratch for tests: short paths for bind-mounted inner sockets
#   lock         serialises concurrent start/stop
set -euo pipefail
set +m # no job control, so setsid in launch_daemon execs in place and $! is dockerd's PID

# Debian's binaries, by absolute path: /usr/local/bin/docker on these machines is an
# unrelated Docker 28 client, and PATH order must not decide which one we run.
readonly DOCKERD=/usr/sbin/dockerd
readonly DOCKER=/usr/bin/docker
readonly CONTAINERD=/usr/bin/containerd
readonly SHIM=/usr/bin/containerd-shim-runc-v2
readonly RUNC=/usr/sbin/runc
readonly TINI=/usr/bin/tini-static # what /usr/bin/docker-init points to (package tini)
readonly BUSYBOX=/bin/busybox      # package busybox-static
readonly PACKAGES=(docker.io busybox-static tini curl)
# The PATH dockerd runs with: it finds containerd, runc, docker-init and the shim on it.
readonly SYSTEM_PATH=/usr/sbin:/usr/bin:/sbin:/bin
readonly IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

readonly BUSYBOX_IMAGE=slipway-test/busybox:latest
readonly DIND_IMAGE=slipway-test/dind:latest
# Bump when the way an image is built changes: images with another recipe get rebuilt.
readonly RECIPE_VERSION=2
readonly RECIPE_LABEL=org.slipway.test-image.recipe

STATE_DIR=$(realpath -m "${SLIPWAY_TEST_DOCKER_DIR:-/var/tmp/slipway-test-docker}")
readonly STATE_DIR
readonly SOCK=$STATE_DIR/docker.sock
readonly PIDFILE=$STATE_DIR/dockerd.pid
readonly LOG=$STATE_DIR/dockerd.log
readonly DATA_ROOT=$STATE_DIR/data
readonly EXEC_ROOT=$STATE_DIR/exec
readonly ENV_FILE=$STATE_DIR/env
readonly SCRATCH=$STATE_DIR/s
# dockerd's managed containerd lives in <exec-root>/containerd (socket, pid file, config).
readonly CONTAINERD_DIR=$EXEC_ROOT/containerd
readonly CONTAINERD_SOCK=$CONTAINERD_DIR/containerd.sock
readonly CONTAINERD_PIDFILE=$CONTAINERD_DIR/containerd.pid
readonly START_TIMEOUT=${SLIPWAY_TEST_DOCKER_START_TIMEOUT:-30}
readonly STOP_TIMEOUT=${SLIPWAY_TEST_DOCKER_STOP_TIMEOUT:-20}
readonly CONTAINER_STOP_TIMEOUT=${SLIPWAY_TEST_DOCKER_CONTAINER_STOP_TIMEOUT:-2}

log() { printf '[docker-test-env] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
now() { printf '%s' "$EPOCHREALTIME"; }
elapsed_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

# The Debian CLI against the private daemon only. A private DOCKER_CONFIG and no TLS
# variables keep the caller's contexts and settings out of it.
dk() {
  env -u DOCKER_CONTEXT -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH \
    DOCKER_CONFIG="$STATE_DIR/cli-config" "$DOCKER" --host "unix://$SOCK" "$@"
}

# ---------------------------------------------------------------------------------------
# Privileges and packages

# dockerd needs root. A non-root caller is re-run through sudo, and the socket is given
# the caller's group so the tests (running as the caller) can use it.
ensure_root() {
  ((EUID == 0)) && return 0
  command -v sudo >/dev/null || die "must run as root (and sudo is not installed)"
  exec sudo env SLIPWAY_TEST_DOCKER_SOCKET_GROUP="$(id -g)" \
    SLIPWAY_TEST_DOCKER_DIR="$STATE_DIR" \
    SLIPWAY_TEST_DOCKER_START_TIMEOUT="$START_TIMEOUT" \
    SLIPWAY_TEST_DOCKER_STOP_TIMEOUT="$STOP_TIMEOUT" \
    SLIPWAY_TEST_DOCKER_CONTAINER_STOP_TIMEOUT="$CONTAINER_STOP_TIMEOUT" \
    SLIPWAY_TEST_DOCKER_STORAGE_DRIVER="${SLIPWAY_TEST_DOCKER_STORAGE_DRIVER:-}" \
    "$(realpath "$0")" "$@"
}

pkg_installed() { [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]; }

# Installs what is missing. `apt-get update` only if the install fails without it: the
# package lists are usually fresh enough, and update is the slow part.
ensure_packages() {
  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    pkg_installed "$pkg" || missing+=("$pkg")
  done
  ((${#missing[@]} == 0)) && return 0
  log "installing ${missing[*]}"
  local install=(apt-get install -y --no-install-recommends "${missing[@]}")
  if ! DEBIAN_FRONTEND=noninteractive "${install[@]}" >&2; then
    log "install failed; running apt-get update and retrying"
    apt-get update >&2
    DEBIAN_FRONTEND=noninteractive "${install[@]}" >&2
  fi
}

check_binaries() {
  local bin
  for bin in "$DOCKERD" "$DOCKER" "$CONTAINERD" "$SHIM" "$RUNC" "$TINI" "$BUSYBOX"; do
    [[ -x $bin ]] || die "$bin is missing (packages: ${PACKAGES[*]})"
  done
}

# Unix socket paths are limited to 108 bytes (sun_path). Check the longest we create.
check_socket_paths() {
  local p
  for p in "$SOCK" "$CONTAINERD_SOCK.ttrpc"; do
    ((${#p} < 100)) || die "socket path too long (${#p} bytes): $p; use a shorter SLIPWAY_TEST_DOCKER_DIR"
  done
}

# ---------------------------------------------------------------------------------------
# Processes we started: identified by PID, checked against executable and command line

# Succeeds if PID $1 is alive, runs executable $2 and its command line contains $3.
# A zombie or an unrelated process that reused the PID does not match.
is_our_process() {
  local pid=$1 exe=$2 needle=$3 actual cmdline
  actual=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
  [[ ${actual% (deleted)} == "$exe" ]] || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$needle"* ]]
}

# Prints the PIDs of processes matching is_our_process $1 $2 $3. pgrep (read-only) only
# narrows the candidates down; each one is then checked exactly. pgrep's command line
# has no trailing space, so the needle's own trailing space is left out of the pattern.
find_our_processes() {
  local exe=$1 needle=$2 pattern pid
  pattern=$(printf '%s' "${needle% }" | sed 's/[][\\.*^$+?(){}|]/\\&/g')
  while read -r pid; do
    if is_our_process "$pid" "$exe" "$needle"; then printf '%s\n' "$pid"; fi
  done < <(pgrep -f -- "$pattern" || true)
}

# Trailing spaces make the needles exact: /x/data must not match /x/data2.
dockerd_needle() { printf -- '--data-root %s ' "$DATA_ROOT"; }
containerd_needle() { printf -- '%s/' "$CONTAINERD_DIR"; }
shim_needle() { printf -- '-address %s ' "$CONTAINERD_SOCK"; }

# The PID of our running dockerd, from its pid file (or, if the file is gone, from /proc).
daemon_pid() {
  local pid=''
  [[ -r $PIDFILE ]] && pid=$(tr -dc '0-9' <"$PIDFILE")
  if [[ -n $pid ]] && is_our_process "$pid" "$DOCKERD" "$(dockerd_needle)"; then
    printf '%s\n' "$pid"
    return 0
  fi
  pid=$(find_our_processes "$DOCKERD" "$(dockerd_needle)" | head -n1)
  [[ -n $pid ]] && printf '%s\n' "$pid"
}

ping_daemon() {
  [[ -S $SOCK ]] || return 1
  [[ $(curl -sS --noproxy '*' --max-time 2 --unix-socket "$SOCK" http://localhost/_ping 2>/dev/null) == OK ]]
}

# SIGTERM, wait up to STOP_TIMEOUT seconds, then SIGKILL. Only the given PIDs, each
# re-checked against exe/needle right before every signal.
terminate() {
  local exe=$1 needle=$2 pid deadline alive
  shift 2
  (($# == 0)) && return 0
  for pid in "$@"; do
    if is_our_process "$pid" "$exe" "$needle"; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  deadline=$((SECONDS + STOP_TIMEOUT))
  while :; do
    alive=()
    for pid in "$@"; do
      is_our_process "$pid" "$exe" "$needle" && alive+=("$pid")
    done
    ((${#alive[@]} == 0)) && return 0
    ((SECONDS >= deadline)) && break
    sleep 0.1
  done
  log "still alive after ${STOP_TIMEOUT}s, sending SIGKILL: ${alive[*]}"
  for pid in "${alive[@]}"; do
    if is_our_process "$pid" "$exe" "$needle"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  sleep 0.2
}

# ---------------------------------------------------------------------------------------
# Daemon start

# dockerd refuses to start over a pid file naming a live process, and its containerd
# supervisor *adopts* (and on shutdown SIGTERMs) whatever live PID containerd.pid names.
# After a crash those PIDs may belong to someone else: drop any file that does not name
# our own process.
remove_stale_pidfiles() {
  local file exe needle pid
  while read -r file exe needle; do
    [[ -e $file ]] || continue
    pid=$(tr -dc '0-9' <"$file")
    if [[ -z $pid ]] || ! is_our_process "$pid" "$exe" "$needle"; then
      rm -f "$file"
    fi
  done <<EOF
$PIDFILE $DOCKERD $(dockerd_needle)
$CONTAINERD_PIDFILE $CONTAINERD $(containerd_needle)
EOF
}

write_daemon_config() {
  # --config-file keeps the host's /etc/docker/daemon.json out; deprecated-key-path keeps
  # 20.10's libtrust key in the state dir instead of /etc/docker/key.json.
  local driver=${SLIPWAY_TEST_DOCKER_STORAGE_DRIVER:-}
  {
    printf '{\n  "deprecated-key-path": "%s/key.json"' "$STATE_DIR"
    [[ -n $driver ]] && printf ',\n  "storage-driver": "%s"' "$driver"
    printf '\n}\n'
  } >"$STATE_DIR/daemon.json"
}

# A system containerd socket makes dockerd 20.10 use that containerd instead of starting
# its own (it only checks that the path exists): our containers would land in a shared
# containerd we cannot stop. Refuse rather than share.
check_no_system_containerd() {
  if [[ -e /run/containerd/containerd.sock ]]; then
    die "/run/containerd/containerd.sock exists: dockerd would use that (shared) containerd instead of a private one. Stop the system containerd first."
  fi
}

launch_daemon() {
  local args=(
    --data-root "$DATA_ROOT"
    --exec-root "$EXEC_ROOT"
    --pidfile "$PIDFILE"
    --host "unix://$SOCK"
    --config-file "$STATE_DIR/daemon.json"
    # No bridge, no NAT, no iptables, no sysctl writes: containers get loopback only.
    --bridge=none --iptables=false --ip-forward=false --ip-masq=false
    --userland-proxy=false
  )
  if [[ -n ${SLIPWAY_TEST_DOCKER_SOCKET_GROUP:-} ]]; then
    args+=(--group "$SLIPWAY_TEST_DOCKER_SOCKET_GROUP")
  fi
  [[ -f $LOG ]] && mv -f "$LOG" "$LOG.1"
  log "starting dockerd (log: $LOG)"
  # setsid: its own session, so a Ctrl-C in the caller's terminal does not reach it.
  # env -i: the caller's DOCKER_*, proxies and PATH do not leak into the daemon.
  # 9>&-: the daemon must not inherit the lock we hold.
  (cd / && exec setsid env -i PATH="$SYSTEM_PATH" HOME=/root "$DOCKERD" "${args[@]}") \
    </dev/null >>"$LOG" 2>&1 9>&- &
  LAUNCHED_PID=$!
}

# Alive and not a zombie. Deliberately no executable check: right after launch the PID
# may still be bash, setsid or env on their way to exec'ing dockerd.
process_running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) } # the state letter follows the parenthesised command name
  [[ ${stat:0:1} != Z ]]
}

# Waits for GET /_ping with a deadline; fails loudly with the end of the daemon log.
wait_for_ping() {
  local pid=$1 deadline=$((SECONDS + START_TIMEOUT))
  until ping_daemon; do
    if ! process_running "$pid"; then
      log "dockerd (pid $pid) exited before answering /_ping; last lines of $LOG:"
      tail -n 30 "$LOG" >&2 || true
      return 1
    fi
    if ((SECONDS >= deadline)); then
      log "dockerd (pid $pid) did not answer /_ping within ${START_TIMEOUT}s; last lines of $LOG:"
      tail -n 30 "$LOG" >&2 || true
      return 1
    fi
    sleep 0.05
  done
}

ensure_daemon() {
  local pid
  if pid=$(daemon_pid); then
    log "reusing dockerd (pid $pid)"
    wait_for_ping "$pid" || die "dockerd pid $pid is running but not answering; run '$0 stop'"
    return 0
  fi
  check_no_system_containerd
  remove_stale_pidfiles
  stop_leftovers # a crashed daemon may have left its containerd, shims or mounts
  write_daemon_config
  launch_daemon
  if ! wait_for_ping "$LAUNCHED_PID"; then
    stop_all >/dev/null 2>&1 || true
    die "dockerd did not start"
  fi
  log "dockerd is up (pid $(daemon_pid || echo "$LAUNCHED_PID"))"
}

# ---------------------------------------------------------------------------------------
# Images, built offline with `docker import`

pkg_version() { dpkg-query -W -f='${Version}' "$1"; }

# A minimal root filesystem: busybox and a symlink per applet, root user, /tmp.
populate_busybox_rootfs() {
  local root=$1 applet
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,proc,sys,dev,run,tmp,var/tmp}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  chmod 0700 "$root/root"
  install -m 0755 "$BUSYBOX" "$root/bin/busybox"
  while read -r applet; do
    [[ -e $root/$applet || -L $root/$applet ]] || ln -s /bin/busybox "$root/$applet"
  done < <("$BUSYBOX" --list-full)
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
    'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$root/etc/group"
  printf '%s\n' '127.0.0.1 localhost' '::1 localhost ip6-localhost ip6-loopback' >"$root/etc/hosts"
  # glibc (dind image) reads this for user/group lookups; no file means odd defaults.
  printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$root/etc/nsswitch.conf"
}

# Copies binary $2 to the same path under $1, plus every shared library ldd lists for it
# (and the dynamic loader), dereferenced, at the paths ldd prints. Real directories, not
# Debian's merged-/usr symlinks: the loader finds /lib/x86_64-linux-gnu by default.
copy_with_libs() {
  local root=$1 bin=$2 lib
  install -D -m 0755 "$bin" "$root$bin"
  while read -r lib; do
    [[ -e $root$lib ]] && continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done < <(ldd "$bin" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
}

# Busybox plus the host's Engine: dockerd, containerd, the runc v2 shim, runc, the CLI,
# and docker-init (tini), which dockerd looks up on PATH for `Init: true` containers.
populate_dind_rootfs() {
  local root=$1 bin
  populate_busybox_rootfs "$root"
  for bin in "$DOCKERD" "$DOCKER" "$CONTAINERD" "$SHIM" "$RUNC"; do
    copy_with_libs "$root" "$bin"
  done
  ln -sfn ../sbin/runc "$root/usr/bin/runc"
  install -m 0755 "$TINI" "$root/usr/bin/tini-static"
  ln -sfn tini-static "$root/usr/bin/docker-init"
  # What dockerd and containerd expect to exist: data root (mount a volume here), run
  # dirs (/var/run -> /run as on Debian), /etc/docker for the key and config.
  mkdir -p "$root/var/lib/docker" "$root/etc/docker" "$root/run"
  ln -sfn ../run "$root/var/run"
  # dockerd reports the OS in /info and warns at start-up when this is missing.
  mkdir -p "$root/usr/lib"
  printf '%s\n' 'NAME="slipway-test dind"' 'ID=slipway-test' \
    "PRETTY_NAME=\"slipway-test dind (Debian docker.io $(pkg_version docker.io))\"" >"$root/usr/lib/os-release"
  ln -sfn ../usr/lib/os-release "$root/etc/os-release"
}

# Builds image $1 with populate function $2 unless an image with recipe $3 exists.
ensure_image() {
  local image=$1 populate=$2 recipe=$3 current old_id build started
  current=$(dk image inspect -f "{{index .Config.Labels \"$RECIPE_LABEL\"}}" "$image" 2>/dev/null) || current=''
  if [[ $current == "$recipe" ]]; then
    log "image $image present"
    return 0
  fi
  old_id=$(dk image inspect -f '{{.Id}}' "$image" 2>/dev/null) || old_id=''
  started=$(now)
  log "building $image (recipe $recipe)"
  build=$(mktemp -d "$STATE_DIR/build.XXXXXX")
  # shellcheck disable=SC2064 # expand now: the trap must remove this very directory
  trap "rm -rf '$build'" EXIT
  "$populate" "$build/rootfs"
  tar --numeric-owner --owner=0 --group=0 --sort=name -C "$build/rootfs" -cf - . |
    dk import \
      --change 'CMD ["sh"]' \
      --change "ENV PATH=$IMAGE_PATH" \
      --change "LABEL $RECIPE_LABEL=$recipe" \
      - "$image" >/dev/null
  rm -rf "$build"
  trap - EXIT
  # The previous build is now untagged; drop it unless a container still uses it.
  if [[ -n $old_id ]]; then dk image rm "$old_id" >/dev/null 2>&1 || true; fi
  log "built $image in $(elapsed_since "$started")s"
}

ensure_images() {
  local busybox_recipe dind_recipe
  busybox_recipe="v$RECIPE_VERSION-busybox-$(pkg_version busybox-static)"
  dind_recipe="v$RECIPE_VERSION-docker.io-$(pkg_version docker.io)-containerd-$(pkg_version containerd)"
  dind_recipe+="-runc-$(pkg_version runc)-tini-$(pkg_version tini)-busybox-$(pkg_version busybox-static)"
  ensure_image "$BUSYBOX_IMAGE" populate_busybox_rootfs "${busybox_recipe//[^A-Za-z0-9._+~-]/_}"
  ensure_image "$DIND_IMAGE" populate_dind_rootfs "${dind_recipe//[^A-Za-z0-9._+~-]/_}"
}

# ---------------------------------------------------------------------------------------
# Environment for callers

# Succeeds if CAP_SYS_RESOURCE (24) is in our bounding set: without it `--privileged`
# fails, and dind needs CapAdd ALL + CapDrop SYS_RESOURCE instead.
privileged_works() {
  local bnd
  bnd=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
  (((16#$bnd >> 24) & 1))
}

print_env() {
  local privileged=0
  privileged_works && privileged=1
  printf 'export %s=%q\n' \
    DOCKER_HOST "unix://$SOCK" \
    SLIPWAY_TEST_DOCKER_HOST "unix://$SOCK" \
    SLIPWAY_TEST_DOCKER_SOCKET "$SOCK" \
    SLIPWAY_TEST_DOCKER_CLI "$DOCKER" \
    SLIPWAY_TEST_DOCKER_DIR "$STATE_DIR" \
    SLIPWAY_TEST_DOCKER_SCRATCH "$SCRATCH" \
    SLIPWAY_TEST_BUSYBOX_IMAGE "$BUSYBOX_IMAGE" \
    SLIPWAY_TEST_DIND_IMAGE "$DIND_IMAGE" \
    SLIPWAY_TEST_DIND_PRIVILEGED "$privileged"
}

# ---------------------------------------------------------------------------------------
# Stop

# Processes a dead dockerd leaves behind: its managed containerd, and the runc shims
# (which outlive containerd by design) with the containers under them.
stop_leftovers() {
  local pids pid children
  mapfile -t pids < <(find_our_processes "$CONTAINERD" "$(containerd_needle)")
  if ((${#pids[@]})); then
    log "stopping containerd: ${pids[*]}"
    terminate "$CONTAINERD" "$(containerd_needle)" "${pids[@]}"
  fi
  mapfile -t pids < <(find_our_processes "$SHIM" "$(shim_needle)")
  if ((${#pids[@]})); then
    log "stopping leftover shims and their containers: ${pids[*]}"
    for pid in "${pids[@]}"; do
      # A shim's children are container init processes (PID 1 of their namespaces:
      # killing one ends the whole container).
      mapfile -t children < <(pgrep -P "$pid" || true)
      if ((${#children[@]})); then kill -KILL "${children[@]}" 2>/dev/null || true; fi
    done
    terminate "$SHIM" "$(shim_needle)" "${pids[@]}"
  fi
  unmount_leftovers
}

# Mounts under the state dir that a killed daemon could not clean up (overlay rootfs,
# netns, shm), deepest first.
unmount_leftovers() {
  local mounts m
  mapfile -t mounts < <(awk -v p="$STATE_DIR/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo | sort -r)
  for m in "${mounts[@]}"; do
    m=$(printf '%b' "${m//\\/\\0}") # mountinfo escapes spaces etc. as \040
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
  done
}

# dockerd's own shutdown gives each running container its StopTimeout (10 s by default,
# whatever --shutdown-timeout says). Test containers are throwaway: stop them first with
# a short grace period so `stop` takes seconds, not tens of seconds.
stop_containers() {
  local ids
  ping_daemon || return 0
  mapfile -t ids < <(dk ps -q 2>/dev/null || true)
  ((${#ids[@]} == 0)) && return 0
  log "stopping ${#ids[@]} running container(s) with a ${CONTAINER_STOP_TIMEOUT}s grace period"
  dk stop --time "$CONTAINER_STOP_TIMEOUT" "${ids[@]}" >/dev/null 2>&1 || true
}

stop_all() {
  local pids
  mapfile -t pids < <(daemon_pid || true)
  if ((${#pids[@]})); then
    stop_containers
    log "stopping dockerd (pid ${pids[*]})"
    terminate "$DOCKERD" "$(dockerd_needle)" "${pids[@]}"
  fi
  stop_leftovers
  rm -f "$PIDFILE" "$SOCK" "$ENV_FILE"
}

# ---------------------------------------------------------------------------------------
# Commands

take_lock() {
  mkdir -p "$STATE_DIR"
  chmod 0755 "$STATE_DIR" # non-root callers must reach the socket inside
  exec 9>"$STATE_DIR/lock"
  flock -w 300 9 || die "timed out waiting for $STATE_DIR/lock"
}

cmd_start() {
  local started how="reused dockerd"
  started=$(now)
  ensure_root start
  ensure_packages
  check_binaries
  check_socket_paths
  take_lock
  mkdir -p "$SCRATCH"
  if ! daemon_pid >/dev/null; then how="started dockerd"; fi
  ensure_daemon
  ensure_images
  print_env >"$ENV_FILE.tmp" && mv -f "$ENV_FILE.tmp" "$ENV_FILE"
  log "ready in $(elapsed_since "$started")s ($how); socket $SOCK"
  cat "$ENV_FILE"
}

cmd_stop() {
  ensure_root stop
  take_lock
  stop_all
  log "stopped"
}

# Needs no root: an answer on our socket means our daemon runs.
cmd_env() {
  ping_daemon || die "not running (run: $0 start)"
  print_env
}

cmd_status() {
  local pid version
  if ! pid=$(daemon_pid); then
    echo "not running (state dir $STATE_DIR)"
    return 1
  fi
  if ! ping_daemon; then
    echo "dockerd pid $pid is alive but /_ping does not answer (socket $SOCK)"
    return 1
  fi
  version=$(dk version -f '{{.Server.Version}} (API {{.Server.APIVersion}})' 2>/dev/null || echo '?')
  echo "running: dockerd pid $pid, Engine $version"
  echo "socket:  $SOCK"
  echo "state:   $STATE_DIR"
  echo "images:"
  dk image ls --format '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}' 'slipway-test/*' 2>/dev/null | sed 's/^/  /' || true
  echo "containers: $(dk ps -aq 2>/dev/null | wc -l)"
}

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
  exit 2
}

main() {
  case ${1:-} in
    start) cmd_start ;;
    stop) cmd_stop ;;
    env) cmd_env ;;
    status) cmd_status ;;
    -h | --help | help) usage ;;
    *) usage ;;
  esac
}

main "$@"
