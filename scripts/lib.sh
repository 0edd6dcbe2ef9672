# slipway — shared helpers for the set-up scripts (sourced, not run).

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages that are missing; `apt-get update` runs only when needed.
apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Packages that ship a daemon (docker.io, nginx) must not start it on install.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null && as_root chmod +x "$policy" && created_policy=1
  fi
  if ! as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    as_root apt-get update -qq >/dev/null
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  [ "$created_policy" = 1 ] && as_root rm -f "$policy"
  return 0
}

# Build dependencies: the C libraries behind slipway's system-library targets.
install_build_dependencies() {
  apt_install pkg-config libnghttp2-dev zlib1g-dev libsqlite3-dev libssl-dev libyaml-dev git ca-certificates
}

require_swift() {
  if ! command -v swift >/dev/null 2>&1; then
    for candidate in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
      [ -x "$candidate/swift" ] && export PATH="$candidate:$PATH" && break
    done
  fi
  command -v swift >/dev/null 2>&1 || die "Swift 6 is not installed. Install a Swift 6.x toolchain for Debian 12 from https://www.swift.org/install/linux/ and put its usr/bin on PATH."
  swift --version 2>/dev/null | grep -q 'Swift version 6' || die "slipway needs Swift 6; found: $(swift --version 2>&1 | head -1)"
}
