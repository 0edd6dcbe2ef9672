#!/usr/bin/env bash
# slipway — HTTP/1.1 keep-alive benchmark: slipway against nginx on GET /healthz.
#
# Usage: bench/http1.sh [seconds [rounds]]        (defaults 10 and 2)
#
# Builds slipway in release mode, starts it and nginx (Debian nginx-light, one worker,
# `return 200 '{"status":"ok"}'`) on free loopback ports, pins every server to CPU 0 and
# wrk to CPU 1, and for 64 and 256 keep-alive connections runs
#     taskset -c 1 wrk -t1 -cN -d<seconds>s --latency http://127.0.0.1:PORT/healthz
# against each server in turn, alternating them `rounds` times. Prints requests/s, p50 and
# p99 per run, then the median per server with the spread across rounds and the ratios
# slipway/nginx, and each server's RSS idle and at its peak under load (VmRSS from
# /proc/PID/status; nginx is master + worker).
#
# With perf installed, each run also reports the server's CPU time per request: its
# task-clock (`perf stat`, nginx's worker included) over the middle of the run, divided by the
# requests answered meanwhile. Unlike requests/s, that figure hardly moves when other
# processes compete for the CPUs, so it compares builds on a busy machine.
#
# Both servers close a keep-alive connection after 1000 requests (nginx keepalive_requests
# default, slipway http.max_requests_per_connection default), so wrk reconnects equally often.
#
# Environment:
#   SLIPWAY_VARIANTS  slipway configurations to compare, separated by '|', each a YAML flow
#                     mapping for the `http:` section. Default:
#                     '{event_loops: 1}|{}|{event_loops: 1, trigger: level}|{trigger: level}'
#                     — one loop on the one CPU, like nginx's one worker, against slipway's own
#                     default (one loop per online CPU, i.e. two loops sharing CPU 0 here), each
#                     with the default edge-triggered epoll and with level triggering.
#   CONNECTIONS       connection counts to test; default "64 256"
#   SKIP_BUILD=1      use the existing .build/release/slipway
#   SKIP_NGINX=1      benchmark only the slipway variants
# Needs: swift, wrk, nginx (both installed with apt if missing), taskset, python3, curl;
# perf (Debian linux-perf) for the CPU time per request, which is left out without it.
set -euo pipefail

seconds=${1:-10}
rounds=${2:-2}
connections=(${CONNECTIONS:-64 256})
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
default_variant='{event_loops: 1}|{}|{event_loops: 1, trigger: level}|{trigger: level}'
IFS='|' read -r -a variants <<< "${SLIPWAY_VARIANTS:-$default_variant}"

work=""
started_pids=()
policy_backup=""
policy_created=0

log() { printf '%s\n' "$*"; }
die() { printf 'http1.sh: %s\n' "$*" >&2; exit 1; }

# Stop only what this script started, by PID; remove the temporary apt policy if ours.
cleanup() {
    local pid
    for pid in "${started_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    for pid in "${started_pids[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    restore_policy
    [[ -n "$work" && -d "$work" ]] && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

restore_policy() {
    if [[ $policy_created == 1 ]]; then
        rm -f /usr/sbin/policy-rc.d
        [[ -n "$policy_backup" ]] && mv "$policy_backup" /usr/sbin/policy-rc.d
        policy_created=0
    fi
}

# nginx-light's postinst would start nginx on port 80; policy-rc.d exit 101 forbids that.
install_missing() {
    local missing=()
    command -v wrk >/dev/null || missing+=(wrk)
    command -v nginx >/dev/null || [[ "${SKIP_NGINX:-0}" == 1 ]] || missing+=(nginx-light)
    [[ ${#missing[@]} -eq 0 ]] && return
    log "installing ${missing[*]} with apt-get"
    if [[ -e /usr/sbin/policy-rc.d ]]; then
        policy_backup=$(mktemp /usr/sbin/policy-rc.d.slipway-bench.XXXXXX)
        mv /usr/sbin/policy-rc.d "$policy_backup"
    fi
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    policy_created=1
    apt-get update -qq || log "apt-get update failed; trying the install anyway"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || true
    restore_policy
    command -v wrk >/dev/null || die "wrk is missing and 'apt-get install wrk' did not provide it"
    command -v nginx >/dev/null || [[ "${SKIP_NGINX:-0}" == 1 ]] || die "nginx is missing and 'apt-get install nginx-light' did not provide it"
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

wait_ready() {
    local port=$1 pid=$2 attempt
    for attempt in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || die "the server on port $port (pid $pid) exited during start-up"
        curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && return
        sleep 0.1
    done
    die "nothing answered on http://127.0.0.1:$port/healthz within 10 s"
}

# Sets $server_pid.
start_nginx() {
    local port=$1 dir="$work/nginx"
    mkdir -p "$dir/tmp"
    cat > "$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events {}
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        location = /healthz {
            default_type application/json;
            return 200 '{"status":"ok"}';
        }
    }
}
EOF
    taskset -c 0 nginx -e "$dir/error.log" -p "$dir" -c "$dir/nginx.conf" &
    server_pid=$!
    started_pids+=("$server_pid")
    wait_ready "$port" "$server_pid"
}

# Sets $server_pid. $2 is the YAML flow mapping for the http: section.
start_slipway() {
    local port=$1 http=$2 index=$3 dir="$work/slipway-$3"
    mkdir -p "$dir/data"
    # log_level error, as in bench/http2.sh: nothing is logged per request at info either,
    # but nothing the server logs should compete with it for CPU 0.
    printf 'log_level: error\nhttp: %s\n' "$http" > "$dir/config.yaml"
    taskset -c 0 "$root/.build/release/slipway" serve --config "$dir/config.yaml" \
        --listen "127.0.0.1:$port" --data-dir "$dir/data" > "$dir/log" 2>&1 &
    server_pid=$!
    started_pids+=("$server_pid")
    wait_ready "$port" "$server_pid"
}

# Resident set of a server in KiB: the process and its children (nginx's worker).
rss_kib() {
    local pid=$1 total=0 child value
    for child in $pid $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
        value=$(awk '/^VmRSS:/ { print $2 }' /proc/"$child"/status 2>/dev/null || true)
        total=$((total + ${value:-0}))
    done
    echo "$total"
}

# A latency column of wrk's --latency output ("50%  98.00us") in microseconds.
latency_us() {
    awk -v want="$1" '$1 == want {
        value = $2; unit = value; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", value)
        factor = (unit == "us") ? 1 : (unit == "ms") ? 1000 : (unit == "s") ? 1000000 : 0
        printf "%.0f\n", value * factor }'
}

# The process and its children (nginx's worker), comma-separated for perf's -p.
process_tree() {
    local pid=$1
    echo "$pid" $(cat /proc/"$pid"/task/*/children 2>/dev/null) | tr ' ' ','
}

# Runs wrk against one server; appends "name conns round req/s p50 p99 peak_rss cpu_us" to
# results (cpu_us is "-" without perf or for runs shorter than 5 s).
measure() {
    local name=$1 port=$2 pid=$3 conns=$4 round=$5 output peak=0 sample sampler_pid stat_pid=""
    local window=$((seconds - 3))
    # Sample RSS once a second while wrk runs; keep the peak.
    ( while kill -0 "$pid" 2>/dev/null; do rss_kib "$pid"; sleep 1; done ) > "$work/rss-samples" &
    sampler_pid=$!
    rm -f "$work/task-clock"
    if (( window >= 2 )) && command -v perf >/dev/null; then
        # The server's CPU time over the middle of the run, clear of start-up and wind-down.
        ( sleep 1.5; perf stat -e task-clock -x, -o "$work/task-clock" -p "$(process_tree "$pid")" -- sleep "$window" ) \
            > /dev/null 2>&1 &
        stat_pid=$!
    fi
    output=$(taskset -c 1 wrk -t1 -c"$conns" -d"${seconds}s" --latency "http://127.0.0.1:$port/healthz")
    [[ -n "$stat_pid" ]] && { wait "$stat_pid" 2>/dev/null || true; }
    kill "$sampler_pid" 2>/dev/null || true
    wait "$sampler_pid" 2>/dev/null || true
    for sample in $(cat "$work/rss-samples"); do
        if (( sample > peak )); then peak=$sample; fi
    done
    local rps p50 p99 errors cpu_us=-
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<< "$output")
    p50=$(latency_us 50% <<< "$output")
    p99=$(latency_us 99% <<< "$output")
    errors=$(awk '/Socket errors:|Non-2xx/ { sub(/^ +/, ""); printf "%s; ", $0 }' <<< "$output")
    if [[ -s "$work/task-clock" ]]; then
        # task-clock is in milliseconds; requests in the window taken at the run's average rate.
        cpu_us=$(awk -F, -v rps="$rps" -v window="$window" '$3 == "task-clock" && rps > 0 {
            printf "%.2f", $1 * 1000 / (rps * window) }' "$work/task-clock")
        cpu_us=${cpu_us:--}
    fi
    printf '%-38s c=%-4s round %s  %8s req/s  p50 %6s us  p99 %6s us  cpu %6s us/req  rss %6s KiB  %s\n' \
        "$name" "$conns" "$round" "$rps" "$p50" "$p99" "$cpu_us" "$peak" "${errors:-no errors}"
    echo "$name $conns $round $rps $p50 $p99 $peak $cpu_us" >> "$work/results"
}

summarize() {
    python3 - "$work/results" "$work/idle" <<'PY'
import statistics, sys
from collections import defaultdict

runs = defaultdict(list)
for line in open(sys.argv[1]):
    name, conns, _, rps, p50, p99, peak, cpu = line.split()
    runs[(name, int(conns))].append((int(rps), int(p50), int(p99), int(peak), None if cpu == "-" else float(cpu)))
idle = dict(line.split() for line in open(sys.argv[2]))

def med(values):
    return statistics.median(values)

def med_or_none(values):
    values = [v for v in values if v is not None]
    return med(values) if values else None

print()
print(f"{'server':<38} {'conns':>5} {'req/s median':>13} {'(min-max)':>19} {'p50 us':>7} {'p99 us':>7} {'(min-max)':>13} {'cpu us/req':>11}")
summary = {}
for (name, conns), values in sorted(runs.items(), key=lambda item: (item[0][1], item[0][0])):
    rps = [v[0] for v in values]; p50 = [v[1] for v in values]; p99 = [v[2] for v in values]
    cpu = med_or_none([v[4] for v in values])
    summary[(name, conns)] = (med(rps), med(p50), med(p99), cpu)
    cpu_text = "-" if cpu is None else f"{cpu:.2f}"
    print(f"{name:<38} {conns:>5} {med(rps):>13.0f} {f'({min(rps)}-{max(rps)})':>19} {med(p50):>7.0f} {med(p99):>7.0f} {f'({min(p99)}-{max(p99)})':>13} {cpu_text:>11}")

names = sorted({name for name, _ in runs})
if "nginx" in names:
    print()
    print("ratios against nginx (medians): req/s (target >= 0.8), p99 (target <= 1.5), CPU time per request")
    for name in names:
        if name == "nginx":
            continue
        for conns in sorted({c for _, c in runs}):
            if (name, conns) in summary and ("nginx", conns) in summary:
                mine, theirs = summary[(name, conns)], summary[("nginx", conns)]
                cpu = "" if mine[3] is None or not theirs[3] else f"   cpu/req {mine[3] / theirs[3]:.2f}x"
                print(f"  {name:<38} c={conns:<4} req/s {mine[0] / theirs[0]:.2f}x   p99 {mine[2] / theirs[2]:.2f}x{cpu}")

print()
print("RSS (KiB): idle after start-up / peak while loaded")
for name in names:
    peak = max(v[3] for (n, _), values in runs.items() if n == name for v in values)
    print(f"  {name:<38} {int(idle[name]):>7} / {peak:>7}")
PY
}

main() {
    [[ "$seconds" =~ ^[0-9]+$ && "$rounds" =~ ^[0-9]+$ ]] || die "usage: bench/http1.sh [seconds [rounds]]"
    command -v taskset >/dev/null || die "taskset (util-linux) is missing"
    [[ $(nproc) -ge 2 ]] || die "needs two CPUs: servers on CPU 0, wrk on CPU 1"
    install_missing
    if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
        log "building slipway (release)"
        (cd "$root" && swift build -c release --static-swift-stdlib --product slipway >&2)
    fi
    [[ -x "$root/.build/release/slipway" ]] || die "no $root/.build/release/slipway"
    work=$(mktemp -d "${TMPDIR:-/tmp}/slipway-bench-http1.XXXXXX")
    : > "$work/results"; : > "$work/idle"

    # Servers: name, port, pid. All stay up for the whole run; only the one under load works.
    local names=() ports=() pids=() index=0 variant port
    for variant in "${variants[@]}"; do
        port=$(free_port)
        start_slipway "$port" "$variant" "$index"
        names+=("slipway$([[ "$variant" == "{}" ]] || echo " $variant" | tr -d ' ')")
        ports+=("$port"); pids+=("$server_pid")
        index=$((index + 1))
    done
    if [[ "${SKIP_NGINX:-0}" != 1 ]]; then
        port=$(free_port)
        start_nginx "$port"
        names+=(nginx); ports+=("$port"); pids+=("$server_pid")
    fi
    sleep 1
    for index in "${!names[@]}"; do
        echo "${names[$index]// /_} $(rss_kib "${pids[$index]}")" >> "$work/idle"
    done
    # Names go through whitespace-split files: no spaces.
    for index in "${!names[@]}"; do names[$index]=${names[$index]// /_}; done

    log "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    log "servers pinned to CPU 0, wrk to CPU 1: taskset -c 1 wrk -t1 -cN -d${seconds}s --latency http://127.0.0.1:PORT/healthz"
    log "keep-alive: both close a connection after 1000 requests (nginx keepalive_requests, slipway max_requests_per_connection)"
    log "$(nginx -v 2>&1 || true); $(wrk -v 2>&1 | head -1 || true)"

    local round conns
    for round in $(seq 1 "$rounds"); do
        for conns in "${connections[@]}"; do
            for index in "${!names[@]}"; do
                # A short untimed run first: connections, page cache and allocator warmed.
                taskset -c 1 wrk -t1 -c"$conns" -d1s "http://127.0.0.1:${ports[$index]}/healthz" > /dev/null
                measure "${names[$index]}" "${ports[$index]}" "${pids[$index]}" "$conns" "$round"
            done
        done
    done
    summarize
}

main "$@"
