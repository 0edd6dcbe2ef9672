#!/usr/bin/env bash
# Runs schemathesis against openapi.yaml and a live slipway: every operation (except the
# never-ending /v1/events stream, the log event stream of jobs that never run here, and
# /readyz, which is 503 without a Docker engine; all are covered by APIServerTests), all checks,
# the coverage, fuzzing and stateful phases.
#
#   scripts/schemathesis.sh [extra schemathesis run options]
# Needs a built .build/debug/slipway and the test virtualenv (scripts/test.sh prepares both).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${SLIPWAY_PYTHON:-$PWD/.venv-test/bin/python}"
schemathesis="$(dirname "$python")/schemathesis"
[ -x "$schemathesis" ] || { echo "schemathesis is not installed in $(dirname "$python"); run scripts/test.sh" >&2; exit 1; }

work="$(mktemp -d /tmp/slipway-schemathesis.XXXXXX)"
port="$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
.build/debug/slipway serve --config Tests/schemathesis/slipway.yml --listen "127.0.0.1:$port" --data-dir "$work/data" \
  >"$work/server.log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

cd Tests/schemathesis
status=0
PYTHONPATH=. SCHEMATHESIS_HOOKS=hooks "$schemathesis" --config-file schemathesis.toml run ../../openapi.yaml \
  --url "http://127.0.0.1:$port" --checks all --exclude-path /v1/events --exclude-path "/v1/jobs/{id}/log/events" --exclude-path /readyz \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-50}" --request-timeout 10 "$@" || status=$?
if ! kill -0 "$server" 2>/dev/null; then
  echo "the server died during the run:" >&2
  tail -50 "$work/server.log" >&2
  status=1
fi
[ "$status" -eq 0 ] && echo "schemathesis: 1 passed, 0 failed" || echo "schemathesis: 0 passed, 1 failed"
exit "$status"
