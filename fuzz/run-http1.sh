#!/usr/bin/env bash
# slipway — build and run the HTTP/1.1 request decoder fuzz target (libFuzzer + AddressSanitizer).
#
# Usage: fuzz/run-http1.sh [seconds] [extra libFuzzer flags...]     (default 60 seconds)
#        fuzz/run-http1.sh --build                                   (build only)
#        fuzz/run-http1.sh --repro FILE...                           (run the target on inputs)
#
# The target (fuzz/http1/FuzzHTTP1.swift) is compiled with swiftc together with the parser's
# own sources, so only the parser is instrumented and no SwiftPM build of the whole package
# (Sockets, Logging, …) is needed. Output:
#   .build-fuzz/fuzz-http1   the binary
#   fuzz/corpus-http1/       the growing corpus (gitignored; seeded from fuzz/seeds-http1/)
#   fuzz/artifacts/          crash-*, timeout-*, oom-* inputs (gitignored)
# A crash input replays with `fuzz/run-http1.sh --repro fuzz/artifacts/crash-…`; its first
# bytes are the run configuration (see the comment at the top of FuzzHTTP1.swift).
# Environment: SLIPWAY_FUZZ_SOURCES=DIR fuzzes the parser sources in DIR instead of
# Sources/HTTP (a patched copy, to check a fix); SLIPWAY_FUZZ_KEEP_GOING=1 keeps fuzzing
# after a crash (libFuzzer -fork=1 -ignore_crashes=1: one job, every crash saved).
# Needs: swiftc (6.x, Linux: it ships libFuzzer and ASan runtimes).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir="$root/.build-fuzz"
binary="$build_dir/fuzz-http1"
seeds="$root/fuzz/seeds-http1"
corpus="$root/fuzz/corpus-http1"
artifacts="$root/fuzz/artifacts"
dictionary="$root/fuzz/http1/http1.dict"
http_sources=${SLIPWAY_FUZZ_SOURCES:-$root/Sources/HTTP}

# The decoder and what it needs, nothing with I/O: keep in step with Sources/HTTP.
parser_sources=(
    HTTP1/HTTP1HeadParser.swift
    HTTP1/HTTP1RequestDecoder.swift
    HTTP1/HTTP1ChunkedDecoder.swift
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
    local sources=("$root/fuzz/http1/FuzzHTTP1.swift") file
    for file in "${parser_sources[@]}"; do
        [[ -f "$http_sources/$file" ]] || { echo "run-http1.sh: missing $http_sources/$file (update parser_sources)" >&2; exit 1; }
        sources+=("$http_sources/$file")
    done
    mkdir -p "$build_dir"
    # -O for speed; -assert-config Debug keeps precondition messages (plain -O drops them,
    # leaving a bare SIGILL). lld, because gold warns about every ASan helper symbol.
    swiftc -sanitize=fuzzer,address -parse-as-library -swift-version 6 \
        -O -assert-config Debug -g -use-ld=lld \
        -module-name HTTP1Fuzz "${sources[@]}" -o "$binary"
}

# The Swift runtime's crash backtracer would otherwise attach to every crash and can hang;
# libFuzzer and ASan report the crash themselves.
runtime_env() {
    export SWIFT_BACKTRACE=enable=no
    export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0:symbolize=1}
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
    local mode=()
    if [[ "${SLIPWAY_FUZZ_KEEP_GOING:-0}" == 1 ]]; then mode=(-fork=1 -ignore_crashes=1); fi
    # The first directory is the corpus libFuzzer writes to; the seeds are only read.
    # -max_len: the default limits (8 KiB lines, 32 KiB heads) must stay reachable.
    "$binary" -max_total_time="$seconds" -max_len=40000 -timeout=10 -rss_limit_mb=2048 \
        -dict="$dictionary" -print_final_stats=1 -artifact_prefix="$artifacts/" \
        "${mode[@]}" "$@" "$corpus" "$seeds"
}

main "$@"
