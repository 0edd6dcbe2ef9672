#!/usr/bin/env bash
# slipway — gzip throughput baseline: GzipEncoder (zlib, level 6) against gzip(1) -6.
#
# Usage: bench/gzip-throughput.sh [repetitions [rounds]]   (defaults 50 and 5)
#
# Compresses the same 1 MiB JSON document (an array of job objects, generated with a fixed
# seed) with GzipEncoder at level 6 and with `gzip -6 -c file > /dev/null`, each
# `repetitions` times, and prints MB/s (10^6 bytes of input per second) for both and their
# ratio. The target is GzipEncoder >= 0.9x gzip -6.
#
# The benchmark executable is not part of slipway's package: the script builds a
# throwaway package in $BENCH_WORK_DIR (default ${TMPDIR:-/tmp}/slipway-gzip-bench) from
# this repository's Sources/CZlib and Sources/Compression, in release mode.
# Needs: swift, python3, gzip, zlib1g-dev.
set -euo pipefail

repetitions=${1:-50}
rounds=${2:-5}
root=${SLIPWAY_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
work=${BENCH_WORK_DIR:-${TMPDIR:-/tmp}/slipway-gzip-bench}

for source in CZlib Compression; do
    [[ -d "$root/Sources/$source" ]] || { echo "missing $root/Sources/$source" >&2; exit 1; }
done

mkdir -p "$work/Sources/gzip-bench"
rm -rf "$work/Sources/CZlib" "$work/Sources/Compression"
cp -R "$root/Sources/CZlib" "$root/Sources/Compression" "$work/Sources/"

cat > "$work/Package.swift" <<'SWIFT'
// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "slipway-gzip-bench",
    targets: [
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "Compression", dependencies: ["CZlib"]),
        .executableTarget(name: "gzip-bench", dependencies: ["Compression"]),
    ],
    swiftLanguageModes: [.v6]
)
SWIFT

cat > "$work/Sources/gzip-bench/main.swift" <<'SWIFT'
// Compresses a file N times with GzipEncoder and reports throughput.
import Compression
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 3, let repetitions = Int(arguments[2]), repetitions > 0,
      let data = FileManager.default.contents(atPath: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: gzip-bench FILE REPETITIONS\n".utf8))
    exit(2)
}
let input = [UInt8](data)
let clock = ContinuousClock()

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func report(_ name: String, _ body: () -> Int) {
    _ = body(); _ = body()  // warm-up: page in code, grow allocator arenas
    var outputBytes = 0
    let elapsed = clock.measure {
        for _ in 0..<repetitions { outputBytes &+= body() }
    }
    let mbPerSecond = Double(input.count * repetitions) / seconds(elapsed) / 1e6
    let compressedSize = outputBytes / repetitions
    print("\(name)\t\(String(format: "%.1f", mbPerSecond))\t\(compressedSize)")
}

// A response: fresh encoder, whole body, one output array (GzipEncoder.gzip).
report("GzipEncoder.gzip (one-shot, new encoder each time)") {
    GzipEncoder.gzip(input, level: 6).count
}

// A streamed response on a kept-alive connection: one encoder reused across bodies,
// 16 KiB writes, output appended to a reused array.
var encoder = GzipEncoder(level: 6)
var output: [UInt8] = []
output.reserveCapacity(input.count)
report("GzipEncoder streaming (16 KiB writes, reused encoder)") {
    output.removeAll(keepingCapacity: true)
    var start = 0
    while start < input.count {
        let end = min(input.count, start + 16 * 1024)
        encoder.compress(input[start..<end], into: &output)
        start = end
    }
    encoder.finish(into: &output)
    return output.count
}
SWIFT

# 1 MiB of realistic API output: a JSON array of job objects, padded with trailing
# whitespace (valid JSON) to exactly 1,048,576 bytes.
document="$work/jobs-1MiB.json"
python3 "$root/bench/make_job_document.py" "$document"

swift build -c release --package-path "$work" --product gzip-bench >"$work/build.log" 2>&1 \
    || { cat "$work/build.log" >&2; exit 1; }
bench="$(swift build -c release --package-path "$work" --show-bin-path)/gzip-bench"

bytes=$(stat -c %s "$document")
echo "document: $document ($bytes bytes); median of $rounds rounds of $repetitions repetitions"
echo "machine: $(nproc) cores, $(uname -sr), $(gzip --version | head -1), zlib $(python3 -c 'import zlib; print(zlib.ZLIB_RUNTIME_VERSION)')"
echo

# Rounds alternate between the two compressors, so a noisy neighbour (this is a shared,
# 2-core VM) slows both alike; each figure is the median over rounds.
gzip_loop_seconds() {  # FILE: seconds for $repetitions runs of gzip -6 -c FILE
    local start end
    start=$(date +%s%N)
    for ((i = 0; i < repetitions; i++)); do gzip -6 -c "$1" >/dev/null; done
    end=$(date +%s%N)
    python3 -c "print(($end - $start) / 1e9)"
}
gzip -6 -c "$document" >/dev/null   # warm-up
swift_rounds="" gzip_rounds="" spawn_rounds="" zlib_rounds=""
for ((round = 0; round < rounds; round++)); do
    swift_rounds+="$("$bench" "$document" "$repetitions")"$'\n'
    # gzip(1): one process per repetition, as in `gzip -6 -c file > /dev/null`.
    gzip_rounds+="$(gzip_loop_seconds "$document") "
    # The same loop on an empty input measures process start alone, for reference.
    spawn_rounds+="$(gzip_loop_seconds /dev/null) "
    # zlib called from C with no Swift in between (Python's zlib module): what the
    # wrapper could at best reach.
    zlib_rounds+="$(python3 - "$document" "$repetitions" <<'PY'
import sys, time, zlib
data, repetitions = open(sys.argv[1], "rb").read(), int(sys.argv[2])
start = time.perf_counter()
for _ in range(repetitions):
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    size = len(compressor.compress(data) + compressor.flush())
print(time.perf_counter() - start, size)
PY
)"$'\n'
done
median() { python3 -c 'import statistics, sys; print(statistics.median(map(float, sys.argv[1:])))' "$@"; }
# shellcheck disable=SC2086
gzip_mbps=$(python3 -c "print('%.1f' % ($bytes * $repetitions / $(median $gzip_rounds) / 1e6))")
# shellcheck disable=SC2086
spawn_ms=$(python3 -c "print('%.2f' % ($(median $spawn_rounds) * 1e3 / $repetitions))")
swift_results=$(python3 - "$swift_rounds" <<'PY'
import statistics, sys
rows = {}
for line in sys.argv[1].splitlines():
    if line.strip():
        name, mbps, size = line.split("\t")
        rows.setdefault(name, ([], size))[0].append(float(mbps))
for name, (speeds, size) in rows.items():
    print(f"{name}\t{statistics.median(speeds):.1f}\t{size}")
PY
)

gzip_size=$(gzip -6 -c "$document" | wc -c)
# Without process start, for reference: per-repetition time minus the empty-file run.
gzip_net_mbps=$(python3 -c "print('%.1f' % ($bytes / ($bytes / ($gzip_mbps * 1e6) - $spawn_ms / 1e3) / 1e6))")

printf '%-55s %8s %10s %9s %14s\n' "compressor" "MB/s" "bytes out" "vs gzip" "vs gzip (net)"
while IFS=$'\t' read -r name mbps size; do
    printf '%-55s %8s %10s %8.2fx %13.2fx\n' "$name" "$mbps" "$size" \
        "$(python3 -c "print($mbps / $gzip_mbps)")" "$(python3 -c "print($mbps / $gzip_net_mbps)")"
done <<<"$swift_results"
# shellcheck disable=SC2086
zlib_mbps=$(python3 -c "print('%.1f' % ($bytes * $repetitions / $(median $(cut -d' ' -f1 <<<"$zlib_rounds")) / 1e6))")
zlib_size=$(head -1 <<<"$zlib_rounds" | cut -d' ' -f2)
printf '%-55s %8s %10s %8.2fx %13.2fx\n' "zlib level 6 from python (reference: no Swift)" "$zlib_mbps" "$zlib_size" \
    "$(python3 -c "print($zlib_mbps / $gzip_mbps)")" "$(python3 -c "print($zlib_mbps / $gzip_net_mbps)")"
printf '%-55s %8s %10s %8.2fx\n' "gzip -6 -c file > /dev/null" "$gzip_mbps" "$gzip_size" 1
printf '%-55s %8s %10s %8s %13.2fx\n' "gzip -6, less ${spawn_ms} ms process start (net)" "$gzip_net_mbps" "$gzip_size" "" 1
echo
echo "target: GzipEncoder >= 0.90x gzip -6"
