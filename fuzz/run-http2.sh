#!/usr/bin/env bash
# slipway — build and run the HTTP/2 input-path fuzz target (libFuzzer + AddressSanitizer).
#
# Usage: fuzz/run-http2.sh [seconds] [extra libFuzzer flags...]     (default 60 seconds)
#        fuzz/run-http2.sh --build                                   (build only)
#        fuzz/run-http2.sh --repro FILE...                           (run the target on inputs)
#
# The target (fuzz/http2/FuzzHTTP2.swift) is compiled with swiftc together with the nghttp2
# session wrapper's own sources, so only our code is instrumented and no SwiftPM build of the
# package is needed; libnghttp2 is the system library (Debian libnghttp2-dev, not instrumented).
# Output:
#   .build-fuzz/fuzz-http2   the binary
#   fuzz/corpus-http2/       the growing corpus (gitignored; seeded from fuzz/seeds-http2/)
#   fuzz/artifacts/          crash-*, timeout-*, oom-* inputs (gitignored)
# The input layout is described at the top of FuzzHTTP2.swift. Run it niced on one core on a
# shared machine: `nice -n 10 taskset -c 1 fuzz/run-http2.sh 600`.
# Needs: swiftc (6.x, Linux: it ships libFuzzer and ASan runtimes), libnghttp2-dev.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir="$root/.build-fuzz"
binary="$build_dir/fuzz-http2"
seeds="$root/fuzz/seeds-http2"
corpus="$root/fuzz/corpus-http2"
artifacts="$root/fuzz/artifacts"
dictionary="$root/fuzz/http2/http2.dict"
http_sources="$root/Sources/HTTP"

# The session wrapper and what it needs, nothing with I/O: keep in step with Sources/HTTP.
wrapper_sources=(
    HTTP2/HTTP2Session.swift
    HTTP2/HTTP2Session+Callbacks.swift
    HTTP2/HTTP2Session+Submitting.swift
    HTTP2/HTTP2SessionDelegate.swift
    HTTP2/HTTP2HeaderBlock.swift
    HTTP2/HTTP2BodyBuffer.swift
    HTTP2/H2CUpgrade.swift
    HTTP1/HTTP1ResponseEncoder.swift
    HTTP1/HTTP1HeadParser.swift
    HTTP1/HTTP1RequestFraming.swift
    HTTP1/HTTP1Limits.swift
    HTTP1/HTTP1ParseError.swift
    Core/HTTPFields.swift
    Core/HTTPMethod.swift
    Core/HTTPRequestHead.swift
    Core/HTTPStatus.swift
    Core/HTTPVersion.swift
)

build() {
    local sources=("$root/fuzz/http2/FuzzHTTP2.swift") file
    for file in "${wrapper_sources[@]}"; do
        [[ -f "$http_sources/$file" ]] || { echo "run-http2.sh: missing $http_sources/$file (update wrapper_sources)" >&2; exit 1; }
        sources+=("$http_sources/$file")
    done
    mkdir -p "$build_dir"
    # -O for speed; -assert-config Debug keeps precondition messages. lld, because gold
    # warns about every ASan helper symbol.
    swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 \
        -O -assert-config Debug -g -use-ld=lld \
        -I "$root/Sources/CNGHTTP2" -lnghttp2 \
        -module-name HTTP2Fuzz "${sources[@]}" -o "$binary"
}

# The Swift runtime's crash backtracer would otherwise attach to every crash and can hang;
# libFuzzer and ASan report the crash themselves.
runtime_env() {
    export SWIFT_BACKTRACE=enable=no
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
}

main() {
    case "${1:-}" in
        --build) build; echo "built $binary"; return ;;
        --repro)
            shift
            [[ $# -gt 0 ]] || { echo "usage: $0 --repro FILE..." >&2; exit 2; }
            [[ -x "$binary" ]] || build
            runtime_env
            exec "$binary" "$@"
            ;;
    esac
    local seconds=${1:-60}
    [[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: $0 [seconds] [libFuzzer flags...]" >&2; exit 2; }
    shift || true
    build
    mkdir -p "$corpus" "$artifacts"
    runtime_env
    # The first directory is the corpus libFuzzer writes to; the seeds are only read.
    "$binary" -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
        -dict="$dictionary" -print_final_stats=1 -artifact_prefix="$artifacts/" \
        "$@" "$corpus" "$seeds"
}

main "$@"
