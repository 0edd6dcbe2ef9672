#!/usr/bin/env bash
# Installs what slipway needs on Debian 12, builds it in release mode and runs `slipway serve`.
# Arguments are passed to `slipway serve` (default: listen on 127.0.0.1:8080, data in ./slipway-data).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

install_build_dependencies
apt_install curl
require_swift

# Jobs run on a Docker engine: DOCKER_HOST, or the system daemon, started if systemd runs.
if [ -z "${DOCKER_HOST:-}" ]; then
  apt_install docker.io
  if ! curl -fsS --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1; then
    if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
      log "starting the Docker engine (systemctl start docker)"
      as_root systemctl start docker || true
    fi
  fi
  curl -fsS --unix-socket /var/run/docker.sock http://localhost/_ping >/dev/null 2>&1 ||
    log "warning: no Docker engine answers at /var/run/docker.sock: slipway starts anyway, /readyz fails and jobs wait in pending until one does (start dockerd, or set DOCKER_HOST)"
fi
log "building slipway (release)"
# Linked as it ships (deploy/): the Swift runtime statically, which also keeps the resident set
# small (only the runtime code slipway uses is mapped).
swift build -c release --static-swift-stdlib --product slipway
exec .build/release/slipway serve "$@"
