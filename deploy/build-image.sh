#!/usr/bin/env bash
# deploy/build-image.sh: builds the slipway container image from this checkout, offline.
#
#   deploy/build-image.sh [TAG]        # default tag slipway:local; prints the tag
#
# 1. the release binary on this host, with the Swift runtime linked in statically
#    (swift build -c release --static-swift-stdlib), stripped;
# 2. the Debian bookworm base from deploy/base/build-base.sh (debootstrap + docker import,
#    cached), unless BASE_IMAGE names another;
# 3. docker build of deploy/Dockerfile with a build context holding only the binary and the
#    default configuration.
#
# Environment: DOCKER (CLI, default docker), DOCKER_HOST, BASE_IMAGE, DOCKER_GID (default: the
# gid of the socket DOCKER_HOST points at, else 999), SLIPWAY_UID (default 10001).
set -euo pipefail
cd "$(dirname "$0")/.."
TAG=${1:-slipway:local}
DOCKER=${DOCKER:-docker}
log() { printf '[build-image] %s\n' "$*" >&2; }

if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then export PATH=/opt/swift/usr/bin:$PATH; fi
log "swift build -c release --static-swift-stdlib --product slipway"
swift build -c release --static-swift-stdlib --product slipway >&2
binary=$(swift build -c release --static-swift-stdlib --product slipway --show-bin-path)/slipway

BASE_IMAGE=${BASE_IMAGE:-$(DOCKER=$DOCKER deploy/base/build-base.sh)}
socket=${DOCKER_HOST:-unix:///var/run/docker.sock}
socket=${socket#unix://}
DOCKER_GID=${DOCKER_GID:-$(stat -c %g "$socket" 2>/dev/null || echo 999)}

context=$(mktemp -d "${TMPDIR:-/tmp}/slipway-image.XXXXXX")
trap 'rm -rf "$context"' EXIT
cp "$binary" "$context/slipway"
strip "$context/slipway"
cp deploy/slipway.container.yml "$context/"
log "docker build $TAG (base $BASE_IMAGE, docker gid $DOCKER_GID)"
"$DOCKER" build -q -f deploy/Dockerfile \
  --build-arg BASE_IMAGE="$BASE_IMAGE" \
  --build-arg DOCKER_GID="$DOCKER_GID" \
  --build-arg SLIPWAY_UID="${SLIPWAY_UID:-10001}" \
  --label org.slipway.revision="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  -t "$TAG" "$context" >&2
echo "$TAG"
