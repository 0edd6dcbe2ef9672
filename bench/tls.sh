#!/usr/bin/env bash
# slipway — HTTPS client benchmark: slipway's HTTPClient over TLS (OpenSSL) against curl,
# both against the same local nginx with TLS.
#
# Usage: bench/tls.sh [requests] [rounds]     (default 1000 requests, 3 rounds)
#
# Server: Debian nginx-light, one worker on CPU 0 (`taskset -c 0`), `listen 127.0.0.1:PORT ssl`,
# TLS 1.2–1.3, an ECDSA P-256 certificate for localhost from a CA this script makes with
# openssl in a temporary directory, `location = /hello { return 200 "hello\n"; }`,
# keepalive_requests 100000000. Clients on CPU 1, one request at a time:
#   keep-alive       ours: `slipway-tls-bench --mode keepalive` (one pooled connection);
#                    curl: one process, N URLs (`/hello?[1-N]`), which reuses its connection.
#   new connections  ours: `--mode new` (a fresh TCP connection and full TLS handshake per
#                    request, `Connection: close`, one shared TLS context);
#                    curl: the same N URLs with `-H 'Connection: close' --no-sessionid` (a full
#                    handshake per request: no TLS session resumption on either side).
#                    curl gets `--resolve localhost:PORT:127.0.0.1`: no ::1 attempt first.
# Both sides verify the certificate against the CA file. Times are wall clock for N requests
# after 20 warm-up requests (ours) / including one process start (curl, ~10 ms). Each figure
# is the median of the rounds; the ratio is ours/curl in requests/s. Target (issue 9): >= 1.0x
# curl on new connections.
#
# Needs: swift, nginx (nginx-light), curl, openssl, python3, taskset. Everything listens on
# 127.0.0.1 only; processes started here are stopped by PID.
set -euo pipefail

requests=${1:-1000}
rounds=${2:-3}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
. scripts/lib.sh

command -v nginx >/dev/null || apt_install nginx-light
for tool in nginx curl openssl python3 taskset; do command -v "$tool" >/dev/null || die "$tool is missing"; done
require_swift

work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-tls-bench.XXXXXX")
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

log "building slipway-tls-bench (release)"
swift build -c release --static-swift-stdlib --product slipway-tls-bench >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)

log "making a test CA and a certificate for localhost"
(
    cd "$work"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 2 \
        -subj "/CN=slipway bench CA" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" 2>/dev/null
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout server.key -out server.csr -subj "/CN=localhost" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -set_serial 2 -days 2 -extfile server.ext -out server.pem 2>/dev/null
)

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
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
    keepalive_requests 100000000;
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $work/server.pem;
        ssl_certificate_key $work/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache off;
        ssl_session_tickets off;
        location = /hello { default_type text/plain; return 200 "hello\n"; }
    }
}
NGINX
taskset -c 0 nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" >"$work/nginx/stdout.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
    python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), timeout=0.1)" 2>/dev/null && break
    sleep 0.05
done

url="https://localhost:$port/hello"
ours() {  # MODE → requests per second
    taskset -c 1 "$bin/slipway-tls-bench" --url "$url" --ca "$work/ca.pem" --requests "$requests" --mode "$1" | sed 's/.*rps=//'
}
curl_rps() {  # [extra curl flags…] → requests per second
    local start end
    # --resolve: straight to 127.0.0.1, as ours (localhost needs no lookup there); otherwise
    # curl tries ::1 first on every new connection, where nothing listens.
    local pin=(--resolve "localhost:$port:127.0.0.1")
    curl -s --fail --cacert "$work/ca.pem" "${pin[@]}" "$@" "$url?[1-20]" >/dev/null  # warm-up
    start=$(date +%s.%N)
    taskset -c 1 curl -s --fail --cacert "$work/ca.pem" "${pin[@]}" "$@" "$url?[1-$requests]" >"$work/curl.out"
    end=$(date +%s.%N)
    [[ $(grep -c hello "$work/curl.out") == "$requests" ]] || die "curl did not get $requests answers"
    python3 -c "print($requests / ($end - $start))"
}
median() { python3 -c 'import statistics, sys; print(f"{statistics.median(map(float, sys.argv[1:])):.0f}")' "$@"; }
spread() { python3 -c 'import sys; v = [float(x) for x in sys.argv[1:]]; print(f"{min(v):.0f}-{max(v):.0f}")' "$@"; }

echo "machine: $(nproc) cores, $(uname -sr); $(nginx -v 2>&1); $(curl --version | head -1 | cut -d' ' -f1-2,5)"
echo "load before: $(uptime | sed 's/.*load average/load average/')"

declare -A results
for ((round = 1; round <= rounds; round++)); do
    results[ours_keepalive]+=" $(ours keepalive)"
    results[curl_keepalive]+=" $(curl_rps)"
    results[ours_new]+=" $(ours new)"
    results[curl_new]+=" $(curl_rps -H 'Connection: close' --no-sessionid)"
done

echo
echo "| $requests sequential GET /hello over TLS | slipway req/s | curl req/s | ratio | spread slipway / curl |"
echo "| --- | --- | --- | --- | --- |"
for kind in keepalive new; do
    # shellcheck disable=SC2086
    o=$(median ${results[ours_$kind]}); c=$(median ${results[curl_$kind]})
    # shellcheck disable=SC2086
    echo "| ${kind/new/new connections} | $o | $c | $(python3 -c "print(f'{$o / $c:.2f}x')") | $(spread ${results[ours_$kind]}) / $(spread ${results[curl_$kind]}) |"
done
echo
echo "load after: $(uptime | sed 's/.*load average/load average/')"
