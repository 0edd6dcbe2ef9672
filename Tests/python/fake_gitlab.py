#!/usr/bin/env python3
"""A GitLab commit status API stand-in for slipway's tests: HTTPS on 127.0.0.1, scripted answers.

Two listeners on ephemeral 127.0.0.1 ports, announced as one line "PORT <https> CONTROL <http>":
  https  POST .../api/v4/projects/<id>/statuses/<sha>   records the request, answers from the script
  http   control for the test:
         GET  /requests   every recorded status request, oldest first, as JSON:
                          [{"time": …, "path": …, "headers": {lowercased: value}, "body": {…}}]
         POST /script     appends answers (a JSON list) that the next status requests get, in order
         POST /default    sets the answer used when the script is empty
         POST /reset      clears requests and script; the default becomes 201
An answer is {"status": 201, "headers": {…}, "body": <JSON or string>} or {"drop": true} (close
the connection without answering). The default 201 body is GitLab's shape, with "pipeline_id".
Stops on SIGTERM or SIGKILL; keeps nothing on disk.
"""
import argparse
import http.server
import json
import ssl
import threading
import time

LOCK = threading.Lock()
STATE = {"requests": [], "script": [], "default": {"status": 201}, "next_id": 1}
PIPELINE_ID = 4242


def next_answer():
    with LOCK:
        if STATE["script"]:
            return STATE["script"].pop(0)
        return STATE["default"]


class GitLab(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {"unparsable": raw.decode("utf-8", "replace")}
        if "/api/v4/projects/" not in self.path or "/statuses/" not in self.path:
            self.reply(404, {}, {"message": "404 Not Found"})
            return
        with LOCK:
            STATE["requests"].append({
                "time": time.time(),
                "path": self.path,
                "headers": {name.lower(): value for name, value in self.headers.items()},
                "body": body,
            })
            status_id = STATE["next_id"]
            STATE["next_id"] += 1
        answer = next_answer()
        if answer.get("drop"):
            self.close_connection = True
            self.connection.close()
            return
        status = answer.get("status", 201)
        payload = answer.get("body")
        if payload is None and 200 <= status < 300:
            payload = {"id": status_id, "sha": self.path.rsplit("/", 1)[-1], "ref": body.get("ref"),
                       "status": body.get("state"), "name": body.get("name"), "target_url": body.get("target_url"),
                       "description": body.get("description"), "pipeline_id": body.get("pipeline_id") or PIPELINE_ID}
        self.reply(status, answer.get("headers", {}), payload)

    def reply(self, status, headers, payload):
        data = b"" if payload is None else (payload.encode() if isinstance(payload, str) else json.dumps(payload).encode())
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


class Control(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        if self.path != "/requests":
            self.answer(404, {"error": "unknown"})
            return
        with LOCK:
            self.answer(200, STATE["requests"])

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        data = json.loads(self.rfile.read(length) or b"null")
        with LOCK:
            if self.path == "/script":
                STATE["script"].extend(data)
            elif self.path == "/default":
                STATE["default"] = data
            elif self.path == "/reset":
                STATE["requests"].clear()
                STATE["script"].clear()
                STATE["default"] = {"status": 201}
            else:
                self.answer(404, {"error": "unknown"})
                return
        self.answer(200, {"ok": True})

    def answer(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    args = parser.parse_args()

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    gitlab = http.server.ThreadingHTTPServer(("127.0.0.1", 0), GitLab)
    gitlab.daemon_threads = True
    # Handshakes run on the handler threads (at the first read), so a client that fails its
    # handshake (the wrong-CA test) never holds up the accept loop.
    gitlab.socket = context.wrap_socket(gitlab.socket, server_side=True, do_handshake_on_connect=False)
    control = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Control)
    control.daemon_threads = True
    threading.Thread(target=control.serve_forever, daemon=True).start()
    print(f"PORT {gitlab.server_address[1]} CONTROL {control.server_address[1]}", flush=True)
    gitlab.serve_forever()


if __name__ == "__main__":
    main()
