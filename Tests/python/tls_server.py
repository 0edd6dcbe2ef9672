#!/usr/bin/env python3
"""An HTTPS server on 127.0.0.1 for slipway's TLS tests: http.server behind Python's ssl.

Listens on an ephemeral port and prints "PORT <n>" once it accepts connections. Answers:
  GET  /hello         a short body
  GET  /bytes/<n>     n bytes of a repeating pattern
  POST /echo          the request body
Every answer carries what the server saw of the connection, so a test can check it from the
client side: X-Client-Port (same port = same connection), X-TLS-Version, X-ALPN, X-SNI.
Stops on SIGTERM.
"""
import argparse
import http.server
import ssl


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--alpn", action="append", default=[], help="an ALPN protocol to accept (repeatable)")
    args = parser.parse_args()

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.cert, args.key)
    if args.alpn:
        context.set_alpn_protocols(args.alpn)

    def remember_sni(connection, server_name, _context):
        connection.slipway_sni = server_name or ""

    context.sni_callback = remember_sni

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    # The handshake runs on the handler's thread at its first read, not in accept(), so a
    # client that fails or stalls its handshake never holds up the others.
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def do_GET(self):
        if self.path == "/hello":
            self.answer(b"hello over TLS\n")
        elif self.path.startswith("/bytes/"):
            count = int(self.path[len("/bytes/"):])
            pattern = bytes(range(256))
            self.answer((pattern * (count // 256 + 1))[:count])
        else:
            self.send_error(404)

    def do_POST(self):
        if self.path != "/echo":
            self.send_error(404)
            return
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        self.answer(body)

    def answer(self, body):
        connection = self.connection
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Client-Port", str(self.client_address[1]))
        self.send_header("X-TLS-Version", connection.version() or "")
        self.send_header("X-ALPN", connection.selected_alpn_protocol() or "")
        self.send_header("X-SNI", getattr(connection, "slipway_sni", ""))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    main()
