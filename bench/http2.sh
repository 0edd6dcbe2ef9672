#!/usr/bin/env bash
# slipway — HTTP/2 (h2c) and response-compression benchmark against nginx and gzip(1).
#
# Usage: bench/http2.sh [rounds [seconds]]     (defaults: 3 rounds, 5 s per measurement)
#
# 1. h2c, GET /healthz: `slipway serve` (release, one event loop) against nginx (Debian
#    nginx-light, one worker, `listen … http2;` cleartext with prior knowledge, config in a
#    temporary directory, started and stopped by PID on an ephemeral port), each driven by
#    `h2load -c16 -m10` and `-m100`. The server runs on CPU 0 (`taskset -c 0`), h2load on
#    CPU 1. Servers alternate every round; each figure is the median over rounds, with the
#    spread (min–max). Target: slipway >= 0.8x nginx.
# 2. Response compression of a 1 MiB JSON document (the one bench/gzip-throughput.sh uses,
#    same seed): MB/s of uncompressed body that `slipway-http-bench` (the same HTTP server,
#    gzip level 6) serves gzipped to `h2load -c1 -m1 -H 'accept-encoding: gzip'`, against
#    `gzip -6 -c file > /dev/null` on the same bytes (also on CPU 0). Target >= 0.9x.
#
# The machine has 2 cores shared with other work: the script prints `uptime` before and
# after; run it when the load is low and compare the spread.
# Needs: swift, h2load (nghttp2-client), nginx (nginx-light), gzip, python3, taskset.
set -euo pipefail

rounds=${1:-3}
seconds=${2:-5}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/lib.sh

command -v h2load >/dev/null || apt_install nghttp2-client
command -v nginx >/dev/null || apt_install nginx-light
for tool in h2load nginx gzip python3 taskset; do command -v "$tool" >/dev/null || die "$tool is missing"; done
require_swift

work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-h2-bench.XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

log "building slipway and slipway-http-bench (release)"
swift build -c release --static-swift-stdlib --product slipway >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
swift build -c release --static-swift-stdlib --product slipway-http-bench >>"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_for_port() {  # PORT: until something accepts on 127.0.0.1:PORT (5 s at most)
    for _ in $(seq 100); do
        python3 -c "import socket, sys; socket.create_connection(('127.0.0.1', $1), timeout=0.1)" 2>/dev/null && return 0
        sleep 0.05
    done
    die "nothing listens on port $1"
}

stop() {  # PID
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    local remaining=()
    for pid in "${pids[@]}"; do [[ "$pid" == "$1" ]] || remaining+=("$pid"); done
    pids=("${remaining[@]}")
}

start_slipway() {  # PORT → PID in $server_pid
    cat >"$work/slipway.yaml" <<YAML
listen: ["127.0.0.1:$1"]
data_dir: $work/slipway-data
log_level: error
http:
  event_loops: 1
YAML
    taskset -c 0 "$bin/slipway" serve --config "$work/slipway.yaml" >"$work/slipway.log" 2>&1 &
    server_pid=$!
    pids+=("$server_pid")
    wait_for_port "$1"
}

start_nginx() {  # PORT → PID in $server_pid
    mkdir -p "$work/nginx"
    cat >"$work/nginx/nginx.conf" <<NGINX
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    http2_max_concurrent_streams 128;
    # The default (1000 requests per connection) ends h2load's connections during warm-up.
    keepalive_requests 100000000;
    server {
        listen 127.0.0.1:$1 http2;
        location = /healthz { default_type application/json; return 200 '{"status":"ok"}'; }
    }
}
NGINX
    taskset -c 0 nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" >"$work/nginx/stdout.log" 2>&1 &
    server_pid=$!
    pids+=("$server_pid")
    wait_for_port "$1"
}

h2load_rps() {  # URL STREAMS [extra h2load flags…] → requests per second
    local url=$1 streams=$2
    shift 2
    local output
    output=$(taskset -c 1 h2load -c16 -m"$streams" -D"$seconds" --warm-up-time=1 "$@" "$url" 2>&1)
    grep -q ' 0 failed, 0 errored, 0 timeout' <<<"$output" || { echo "$output" >&2; die "h2load saw failures"; }
    awk '/^finished in/ { print $4 }' <<<"$output"
}

median() { python3 -c 'import statistics, sys; print(f"{statistics.median(map(float, sys.argv[1:])):.0f}")' "$@"; }
spread() { python3 -c 'import sys; v = [float(x) for x in sys.argv[1:]]; print(f"{min(v):.0f}-{max(v):.0f}")' "$@"; }

echo "machine: $(nproc) cores, $(uname -sr); $(nginx -v 2>&1); h2load $(h2load --version | awk '{print $2}')"
echo "load before: $(uptime | sed 's/.*load average/load average/')"
echo

# MARK: 1. h2c /healthz
declare -A results
for ((round = 1; round <= rounds; round++)); do
    for server in slipway nginx; do
        port=$(free_port)
        "start_$server" "$port"
        for streams in 10 100; do
            rps=$(h2load_rps "http://127.0.0.1:$port/healthz" "$streams")
            results[$server,$streams]+="$rps "
            printf 'round %d  %-8s -m%-3d %10.0f req/s\n' "$round" "$server" "$streams" "$rps"
        done
        stop "$server_pid"
    done
done
echo
printf '%-30s %12s %12s %8s   %s\n' "h2load -c16, GET /healthz" "slipway" "nginx" "ratio" "spread slipway | nginx"
for streams in 10 100; do
    # shellcheck disable=SC2086
    s=$(median ${results[slipway,$streams]}) n=$(median ${results[nginx,$streams]})
    # shellcheck disable=SC2086
    printf '%-30s %12s %12s %7.2fx   %s | %s\n' "-m$streams (median of $rounds)" "$s" "$n" "$(python3 -c "print($s / $n)")" \
        "$(spread ${results[slipway,$streams]})" "$(spread ${results[nginx,$streams]})"
done
echo "target: slipway >= 0.80x nginx"
echo

# MARK: 2. Response compression
document="$work/jobs-1MiB.json"
python3 "$root/bench/make_job_document.py" "$document"
bytes=$(stat -c %s "$document")
requests=$((seconds * 40))

gzip_seconds() {  # seconds for $requests runs of gzip -6 on CPU 0
    local start end
    start=$(date +%s%N)
    for ((i = 0; i < requests; i++)); do taskset -c 0 gzip -6 -c "$document" >/dev/null; done
    end=$(date +%s%N)
    python3 -c "print(($end - $start) / 1e9)"
}

served_mbps() {  # PORT [accept-encoding] → MB/s of uncompressed body served
    local output
    output=$(taskset -c 1 h2load -c1 -m1 -n"$requests" ${2:+-H "accept-encoding: $2"} "http://127.0.0.1:$1/json" 2>&1)
    grep -q "$requests succeeded" <<<"$output" || { echo "$output" >&2; die "h2load saw failures"; }
    local rps
    rps=$(awk '/^finished in/ { print $4 }' <<<"$output")
    python3 -c "print($rps * $bytes / 1e6)"
}

gzip -6 -c "$document" >/dev/null
compressed_rounds="" identity_rounds="" gzip_rounds=""
for ((round = 1; round <= rounds; round++)); do
    port=$(free_port)
    taskset -c 0 "$bin/slipway-http-bench" --port "$port" --json "$document" --gzip-level 6 >"$work/bench-server.log" 2>&1 &
    server_pid=$!
    pids+=("$server_pid")
    wait_for_port "$port"
    served_mbps "$port" gzip >/dev/null  # warm-up
    compressed_rounds+="$(served_mbps "$port" gzip) "
    identity_rounds+="$(served_mbps "$port") "
    stop "$server_pid"
    gzip_rounds+="$(python3 -c "print($bytes * $requests / $(gzip_seconds) / 1e6)") "
    echo "round $round: served gzipped $(awk '{print $NF}' <<<"$compressed_rounds") MB/s, gzip -6 $(awk '{print $NF}' <<<"$gzip_rounds") MB/s"
done
# shellcheck disable=SC2086
served=$(median $compressed_rounds) identity=$(median $identity_rounds) reference=$(median $gzip_rounds)
echo
printf '%-58s %8s   %s\n' "1 MiB JSON ($bytes bytes), median of $rounds" "MB/s" "spread"
# shellcheck disable=SC2086
printf '%-58s %8s   %s\n' "slipway h2c, Accept-Encoding: gzip (level 6)" "$served" "$(spread $compressed_rounds)"
# shellcheck disable=SC2086
printf '%-58s %8s   %s\n' "gzip -6 -c file > /dev/null (same bytes, CPU 0)" "$reference" "$(spread $gzip_rounds)"
# shellcheck disable=SC2086
printf '%-58s %8s   %s\n' "slipway h2c, identity (no compression, for reference)" "$identity" "$(spread $identity_rounds)"
printf 'ratio served-gzip / gzip -6: %.2fx (target >= 0.90x); gzip -6 output %s bytes\n' \
    "$(python3 -c "print($served / $reference)")" "$(gzip -6 -c "$document" | wc -c)"
echo
echo "load after: $(uptime | sed 's/.*load average/load average/')"
