#!/usr/bin/env bash
# Installs what slipway needs on Debian 12, builds it in release mode and runs `slipway serve`.
# Arguments are passed to `slipway serve` (default: listen on 127.0.0.1:8080, data in ./slipway-data).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

install_build_dependencies
require_swift
log "building slipway (release)"
swift build -c release --product slipway
exec .build/release/slipway serve "$@"
