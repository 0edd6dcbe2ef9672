#!/usr/bin/env python3
"""slipway — client side of bench/webhooks.sh.

Subcommands (each prints one JSON object on stdout):
  payload FIXTURE REPO BRANCH OUT    GitLab's push fixture rewritten for REPO's head of BRANCH
  count DB ACKED_FILE                pipelines in the store, and how many acknowledged ids are missing
  latency URL REPO RUNS              push (an empty commit) → webhook → the first job's first
                                     output line read from GET /v1/jobs/{id}/log?follow=true
"""
import http.client
import json
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import uuid

MARK = b"slipway-bench-ready"
TOKEN = "bench-hook-token-0123456789"


def git(repo, *args):
    env = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True, env=env).stdout.strip()


def payload(fixture, repo, branch, message=None):
    body = json.load(open(fixture))
    sha = git(repo, "rev-parse", branch)
    commit = dict(body["commits"][-1])
    commit.update(id=sha, message=message or git(repo, "log", "-1", "--format=%B", sha))
    body.update(ref=f"refs/heads/{branch}", after=sha, checkout_sha=sha, commits=[commit], total_commits_count=1)
    return body


def count(db, acked_file):
    acked = [int(line) for line in open(acked_file) if line.strip()]
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    stored = {row[0] for row in connection.execute("SELECT id FROM pipelines")}
    missing = [i for i in acked if i not in stored]
    return {"acknowledged": len(acked), "stored": len(stored), "acknowledged_missing": len(missing),
            "duplicates_acknowledged": len(acked) - len(set(acked))}


def request(conn, method, target, body=None, headers=None):
    conn.request(method, target, body, headers or {})
    response = conn.getresponse()
    return response.status, response.read()


def latency(url, repo, fixture, runs):
    parsed = urllib.parse.urlsplit(url)
    samples = []
    for run in range(runs):
        git(repo, "-c", "user.name=bench", "-c", "user.email=b@example.com", "commit", "--quiet", "--allow-empty", "-m", f"bench {run}")
        body = json.dumps(payload(fixture, repo, "master")).encode()
        api = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
        started = time.monotonic()
        status, data = request(api, "POST", "/webhooks/gitlab", body, {
            "Content-Type": "application/json", "X-Gitlab-Event": "Push Hook", "X-Gitlab-Token": TOKEN,
            "X-Gitlab-Event-UUID": str(uuid.uuid4())})
        if status != 202:
            raise SystemExit(f"webhook answered {status}: {data!r}")
        acknowledged = time.monotonic() - started
        pipeline = json.loads(data)["pipeline_id"]
        job = None
        while job is None:
            status, data = request(api, "GET", f"/v1/pipelines/{pipeline}")
            document = json.loads(data)
            if document.get("failure_message"):
                raise SystemExit(f"pipeline {pipeline} failed: {document['failure_message']}")
            jobs = document.get("jobs") or []
            if jobs:
                job = jobs[0]["id"]
            else:
                time.sleep(0.005)
        follow = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=120)
        follow.request("GET", f"/v1/jobs/{job}/log?follow=true")
        response = follow.getresponse()
        seen = b""
        while seen.count(MARK) < 2:  # the echoed command line, then the output
            chunk = response.read1(65536)
            if not chunk:
                raise SystemExit(f"job {job}: the log ended without the mark: {seen!r}")
            seen += chunk
        samples.append((time.monotonic() - started, acknowledged))
        follow.close()
        api.close()
        time.sleep(0.3)  # let the job's container go before the next push
    totals = [s[0] for s in samples]
    return {"runs": runs, "median_s": round(statistics.median(totals), 4), "min_s": round(min(totals), 4),
            "max_s": round(max(totals), 4), "median_ack_ms": round(statistics.median(s[1] for s in samples) * 1000, 2)}


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "payload":
        json.dump(payload(sys.argv[2], sys.argv[3], sys.argv[4]), open(sys.argv[5], "w"))
        print("{}")
    elif command == "count":
        print(json.dumps(count(sys.argv[2], sys.argv[3])))
    elif command == "latency":
        print(json.dumps(latency(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))))
    else:
        raise SystemExit(__doc__)
