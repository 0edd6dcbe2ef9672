#!/usr/bin/env bash
# deploy/base/build-base.sh: a Debian bookworm runtime base for deploy/Dockerfile, built
# offline-capable with debootstrap from this machine's Debian mirror and `docker import`ed.
#
#   deploy/base/build-base.sh            # prints the image reference on stdout
#   docker build --build-arg BASE_IMAGE="$(deploy/base/build-base.sh)" ...
#
# Use this where no registry is reachable (or to avoid trusting one); elsewhere the Dockerfile's
# default base, debian:bookworm-slim, plus its apt-get step does the same.
#
# The base holds exactly the runtime libraries slipway links against (libnghttp2, zlib,
# SQLite, OpenSSL), ca-certificates, git (checkouts), curl (HEALTHCHECK) and tini (PID 1:
# forwards SIGTERM, reaps git's children). Removed: docs, man pages, locales, perl (git needs
# none of it for fetch and checkout), apt (dpkg and its database stay) and git's server helpers.
#
# Idempotent and cached: the image is tagged slipway-deploy/base:<key>, where <key> hashes
# the suite, mirror, package list and this recipe's version; the rootfs tarball is kept in
# $SLIPWAY_BASE_CACHE (default /var/tmp/slipway-deploy-base). A second run with the same key
# imports the cached tarball (or does nothing if the image exists).
#
# Environment:
#   DOCKER                 docker CLI (default: docker on PATH); DOCKER_HOST is honoured
#   SLIPWAY_DEBIAN_MIRROR  mirror URL (default: the first bookworm URIs/deb line in /etc/apt/sources.list*)
#   SLIPWAY_BASE_CACHE     cache directory (default /var/tmp/slipway-deploy-base)
set -euo pipefail

readonly SUITE=bookworm
readonly RECIPE=3 # bump when the trimming or import recipe changes
readonly PACKAGES=(ca-certificates curl git libnghttp2-14 libsqlite3-0 libssl3 libyaml-0-2 tini zlib1g)
DOCKER=${DOCKER:-docker}
CACHE=${SLIPWAY_BASE_CACHE:-/var/tmp/slipway-deploy-base}

log() { printf '[build-base] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The configured Debian mirror: deb822 (*.sources) or one-line (*.list) format.
detect_mirror() {
  local file
  for file in /etc/apt/sources.list.d/*.sources; do
    [[ -r $file ]] || continue
    awk -v suite="$SUITE" '
      /^[[:space:]]*$/ { if (uri != "" && ok && deb) { print uri; exit } uri=""; ok=0; deb=0; next }
      /^URIs:/ { uri=$2 }
      /^Types:/ { for (i = 2; i <= NF; i++) if ($i == "deb") deb=1 }
      /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) ok=1 }
      END { if (uri != "" && ok && deb) print uri }' "$file" | head -1
  done | head -1 | grep . && return 0
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk -v suite="$SUITE" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/ && $(i + 1) == suite) { print $i; exit } }' | grep .
}

MIRROR=${SLIPWAY_DEBIAN_MIRROR:-$(detect_mirror || true)}
[[ -n $MIRROR ]] || die "no Debian $SUITE mirror in /etc/apt/sources.list*; set SLIPWAY_DEBIAN_MIRROR"

KEY=$(printf '%s\n' "recipe=$RECIPE" "suite=$SUITE" "mirror=$MIRROR" "${PACKAGES[@]}" | sha256sum | cut -c1-16)
readonly IMAGE=slipway-deploy/base:$KEY
readonly TARBALL=$CACHE/$SUITE-$KEY.tar

if "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE present"
  echo "$IMAGE"
  exit 0
fi

if [[ ! -s $TARBALL ]]; then
  ((EUID == 0)) || die "debootstrap needs root"
  command -v debootstrap >/dev/null || {
    log "installing debootstrap"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >&2
  }
  mkdir -p "$CACHE"
  root=$(mktemp -d "$CACHE/rootfs.XXXXXX")
  trap 'rm -rf "$root"' EXIT
  log "debootstrap $SUITE from $MIRROR (minbase + ${PACKAGES[*]})"
  include=$(IFS=,; echo "${PACKAGES[*]}")
  debootstrap --variant=minbase --include="$include" "$SUITE" "$root" "$MIRROR" >&2 ||
    { tail -20 "$root/debootstrap/debootstrap.log" >&2 2>/dev/null; die "debootstrap failed"; }
  # git needs no perl for what slipway does (fetch, checkout); its perl commands (send-email,
  # svn, cvs, instaweb) and the server-side helpers (daemon, http-backend, shell, scalar,
  # imap-send, dumb-http push/fetch) go, as do the charset modules (git and slipway speak
  # UTF-8, which glibc converts without them) and the static tini.
  chroot "$root" dpkg --purge --force-depends perl perl-modules-5.36 libperl5.36 liberror-perl >&2
  # No package manager front-end in a runtime image (dpkg and its database stay, for scanners):
  # extend the image by building FROM debian:bookworm-slim with the Dockerfile's package step.
  chroot "$root" dpkg --purge --force-depends apt libapt-pkg6.0 gpgv debian-archive-keyring >&2
  rm -f "$root"/usr/lib/git-core/{git-daemon,git-http-backend,git-http-push,git-http-fetch,git-imap-send,git-shell,scalar} \
    "$root"/usr/bin/{git-shell,scalar} "$root"/usr/bin/tini-static
  ln -sf ../../bin/git "$root/usr/lib/git-core/git"
  rm -rf "$root"/usr/lib/x86_64-linux-gnu/gconv/*.so "$root"/usr/share/zoneinfo/right \
    "$root"/usr/share/zoneinfo/posix
  # Trim what a service never reads.
  rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/locale/* "$root"/usr/share/lintian "$root"/usr/share/linda \
    "$root"/usr/share/common-licenses \
    "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/cache/debconf/*-old \
    "$root"/var/log/* "$root"/debootstrap
  # Keep anything dpkg installs later trimmed as well.
  mkdir -p "$root/etc/dpkg/dpkg.cfg.d"
  printf '%s\n' 'path-exclude=/usr/share/doc/*' 'path-exclude=/usr/share/man/*' \
    'path-exclude=/usr/share/info/*' 'path-exclude=/usr/share/locale/*' >"$root/etc/dpkg/dpkg.cfg.d/slipway-trim"
  tar --numeric-owner --xattrs -C "$root" -cf "$TARBALL.tmp" .
  mv "$TARBALL.tmp" "$TARBALL"
  rm -rf "$root"
  trap - EXIT
fi

log "importing $TARBALL as $IMAGE"
"$DOCKER" import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  --change "LABEL org.slipway.deploy-base=$KEY" \
  --change "LABEL org.slipway.deploy-base.mirror=$MIRROR" \
  "$TARBALL" "$IMAGE" >&2
echo "$IMAGE"
