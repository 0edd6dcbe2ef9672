#!/usr/bin/env python3
"""slipway — the 1 MiB JSON document of the compression benchmarks (bench/gzip-throughput.sh,
bench/http2.sh): job objects from a fixed seed, padded with trailing whitespace (valid JSON)
to exactly 1,048,576 bytes, so both benchmarks compress the same bytes.

Usage: bench/make_job_document.py PATH
"""
import json, random, sys
random.seed(20250101)
states = ["pending", "running", "success", "failed", "canceled"]
projects = ["platform/api", "platform/web", "data/etl", "infra/images", "mobile/app", "tools/cli"]
words = ["build", "test", "lint", "push", "deploy", "docker", "cache", "layer", "step", "image"]
size = 1 << 20
jobs, length, i = [], 2, 0
while True:
    created = 1735689600 + i * 37 + random.randint(0, 30)
    job = {
        "id": 100000 + i,
        "pipeline_id": 5000 + i // 7,
        "project": random.choice(projects),
        "ref": random.choice(["main", "develop", f"feature/{random.choice(words)}-{random.randint(1, 999)}"]),
        "sha": "%040x" % random.getrandbits(160),
        "name": f"{random.choice(words)}:{random.choice(words)}",
        "stage": random.choice(["build", "test", "release"]),
        "state": random.choice(states),
        "worker": {"kind": random.choice(["host", "dind"]), "id": f"worker-{random.randint(1, 12)}"},
        "image": f"registry.example.com/{random.choice(projects)}:{random.randint(1, 300)}",
        "created_at": created,
        "started_at": created + random.randint(0, 40),
        "duration_ms": random.randint(200, 900000),
        "exit_code": random.choice([0, 0, 0, 1, 2, 137]),
        "variables": {"CI_COMMIT_BRANCH": "main", "DOCKER_HOST": "unix:///var/run/docker.sock"},
        "tags": random.sample(words, 3),
        "log_url": f"/v1/jobs/{100000 + i}/log",
    }
    text = json.dumps(job, separators=(",", ":"))
    if length + len(text) + 1 > size:
        break
    jobs.append(text)
    length += len(text) + 1
    i += 1
body = ("[" + ",".join(jobs) + "]").encode()
body += b" " * (size - len(body) - 1) + b"\n"
assert len(body) == size
open(sys.argv[1], "wb").write(body)
