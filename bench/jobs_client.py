#!/usr/bin/env python3
"""slipway — client side of bench/jobs.sh: start latency and throughput against `docker run`.

Subcommands (each prints one JSON object on stdout):
  latency URL IMAGE RUNS DOCKER_HOST      POST /v1/jobs → first line of the script's output,
                                          against `docker run --rm` → its first output line
  throughput URL IMAGE JOBS PARALLEL DOCKER_HOST
                                          JOBS trivial jobs through slipway against
                                          `xargs -P PARALLEL docker run --rm`
  count DB [ACKED_FILE]                   rows in the jobs table; with a file of acknowledged
                                          IDs, how many of them are missing
"""
import http.client
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse

MARK = b"slipway-bench-ready"


def connection(url):
    parsed = urllib.parse.urlsplit(url)
    return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)


def submit(conn, image, script, name="bench"):
    body = json.dumps({"name": name, "image": image, "script": script, "worker": "host"})
    conn.request("POST", "/v1/jobs", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    if response.status != 201:
        raise SystemExit(f"POST /v1/jobs answered {response.status}: {data!r}")
    return json.loads(data)["id"]


def slipway_start_latency(url, image):
    """Seconds from sending POST /v1/jobs to reading the script's first output line."""
    post = connection(url)
    follow = connection(url)
    started = time.monotonic()
    job = submit(post, image, [f"echo {MARK.decode()}"])
    follow.request("GET", f"/v1/jobs/{job}/log?follow=true")
    response = follow.getresponse()
    seen = b""
    while True:
        chunk = response.read1(65536)
        if not chunk:
            raise SystemExit(f"job {job}: the log ended without the mark: {seen!r}")
        seen += chunk
        # The first occurrence is the echoed command line ("$ echo …"); the output follows.
        if seen.count(MARK) >= 2:
            elapsed = time.monotonic() - started
            break
    response.read()
    post.close()
    follow.close()
    return elapsed


def docker_start_latency(docker_host, image):
    started = time.monotonic()
    process = subprocess.Popen(
        ["docker", "--host", docker_host, "run", "--rm", "--network", "none", image, "echo", MARK.decode()],
        stdout=subprocess.PIPE,
    )
    line = process.stdout.readline()
    elapsed = time.monotonic() - started
    process.wait()
    if MARK not in line:
        raise SystemExit(f"docker run printed {line!r}")
    return elapsed


def summary(values):
    values = sorted(values)
    return {
        "median": statistics.median(values),
        "p10": values[max(0, int(len(values) * 0.1) - 1)],
        "p90": values[min(len(values) - 1, int(len(values) * 0.9))],
    }


def latency(url, image, runs, docker_host):
    ours, theirs = [], []
    for warm in range(2):
        slipway_start_latency(url, image)
        docker_start_latency(docker_host, image)
    for run in range(runs):
        # Alternate which goes first so drift in the daemon's state hits both equally.
        if run % 2 == 0:
            ours.append(slipway_start_latency(url, image))
            theirs.append(docker_start_latency(docker_host, image))
        else:
            theirs.append(docker_start_latency(docker_host, image))
            ours.append(slipway_start_latency(url, image))
    result = {"slipway": summary(ours), "docker_run": summary(theirs)}
    result["ratio"] = result["slipway"]["median"] / result["docker_run"]["median"]
    return result


def wait_finished(conn, ids):
    remaining = set(ids)
    while remaining:
        for job in list(remaining):
            conn.request("GET", f"/v1/jobs/{job}")
            response = conn.getresponse()
            status = json.loads(response.read())["status"]
            if status in ("success", "failed", "canceled"):
                if status != "success":
                    raise SystemExit(f"job {job} ended {status}")
                remaining.discard(job)
        if remaining:
            time.sleep(0.05)


def throughput(url, image, jobs, parallel, docker_host):
    conn = connection(url)
    started = time.monotonic()
    ids = [submit(conn, image, ["true"], name=f"bench-{n}") for n in range(jobs)]
    wait_finished(conn, ids)
    ours = time.monotonic() - started

    started = time.monotonic()
    arguments = "\n".join(str(n) for n in range(jobs)) + "\n"
    subprocess.run(
        ["xargs", "-P", str(parallel), "-I{}", "docker", "--host", docker_host, "run", "--rm", "--network", "none", image, "true"],
        input=arguments.encode(), check=True, stdout=subprocess.DEVNULL,
    )
    theirs = time.monotonic() - started
    return {
        "jobs": jobs,
        "slipway_seconds": ours,
        "slipway_jobs_per_second": jobs / ours,
        "xargs_seconds": theirs,
        "xargs_jobs_per_second": jobs / theirs,
        "ratio": (jobs / ours) / (jobs / theirs),
    }


def count(database, acked_file=None):
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    stored = {row[0] for row in db.execute("SELECT id FROM jobs")}
    result = {"stored": len(stored)}
    if acked_file:
        with open(acked_file) as handle:
            acked = {int(line) for line in handle if line.strip()}
        result["acknowledged"] = len(acked)
        result["acknowledged_missing"] = len(acked - stored)
    return result


def main():
    command = sys.argv[1]
    if command == "latency":
        result = latency(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    elif command == "throughput":
        result = throughput(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    elif command == "count":
        result = count(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    else:
        raise SystemExit(__doc__)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
