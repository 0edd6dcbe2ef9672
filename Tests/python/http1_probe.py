#!/usr/bin/env python3
"""Raw-socket HTTP/1.1 checks against a running slipway test server.

Each subcommand drives the server at 127.0.0.1:PORT with real client behaviour and exits
non-zero (printing what went wrong) if the server misbehaves. The Swift test suite starts the
server with the routes these checks use (/healthz, /echo, /big, /slow, /stream) and runs
them; they can also be run by hand.

    http1_probe.py conformance --port 8080
    http1_probe.py concurrency --port 8080 --connections 1000
    http1_probe.py slowloris --port 8080 --deadline 1.0
    http1_probe.py non-reader --port 8080
    http1_probe.py clients --port 8080
"""

import argparse
import asyncio
import re
import socket
import sys
import time

STATUS_LINE = re.compile(rb"HTTP/1\.[01] (\d{3})")


def exchange(port, data, timeout=3.0, chunks=None, pause=0.0):
    """Sends `data` (or `chunks`, with `pause` seconds between them), then reads until the
    server closes or `timeout` passes. Returns (raw response bytes, closed_by_server)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        for piece in chunks or [data]:
            try:
                sock.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            if pause:
                time.sleep(pause)
        received = b""
        closed = False
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sock.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                piece = sock.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not piece:
                closed = True
                break
            received += piece
        return received, closed


def statuses(raw):
    return [int(m.group(1)) for m in STATUS_LINE.finditer(raw) if m.start() == 0 or raw[m.start() - 2:m.start()] == b"\r\n" or raw[m.start() - 1:m.start()] == b"\n"]


def parse_responses(raw, head_requests=0):
    """Splits `raw` into (status, headers, body) using the responses' own framing
    (Content-Length or chunked), so body bytes that look like a status line are not counted.
    The first `head_requests` responses answer HEAD requests and carry no body."""
    found = []
    offset = 0
    while offset < len(raw):
        head_end = raw.find(b"\r\n\r\n", offset)
        if head_end < 0:
            break
        head = raw[offset:head_end]
        match = STATUS_LINE.match(head)
        if not match:
            break
        code = int(match.group(1))
        headers = {}
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
        offset = head_end + 4
        body = b""
        bodiless = code < 200 or code in (204, 304) or len(found) < head_requests
        if not bodiless:
            if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
                while True:
                    line_end = raw.find(b"\r\n", offset)
                    size = int(raw[offset:line_end].split(b";")[0], 16)
                    offset = line_end + 2
                    if size == 0:
                        offset = raw.find(b"\r\n\r\n", offset - 2) + 4
                        break
                    body += raw[offset:offset + size]
                    offset += size + 2
            else:
                length = int(headers.get(b"content-length", b"0"))
                body = raw[offset:offset + length]
                offset += length
        found.append((code, headers, body))
    return found


def response_statuses(raw, head_requests=0):
    return [code for code, _, _ in parse_responses(raw, head_requests)]


# (id, request bytes, expected statuses (list of acceptable sequences), must close)
H = b"Host: h\r\n"
CASES = [
    ("SMUG-CL-TE-BOTH", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 23\r\nTransfer-Encoding: chunked\r\n\r\nD\r\nhello-bananas\r\n0\r\n\r\n", [[400]], True),
    ("SMUG-CLTE-DESYNC", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX", [[400]], True),
    ("SMUG-TECL-DESYNC", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\nContent-Length: 30\r\n\r\n0\r\n\r\nX", [[400]], True),
    ("SMUG-CLTE-SMUGGLED-GET", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 30\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: h\r\n\r\n", [[400]], True),
    ("SMUG-DUPLICATE-CL", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 5\r\nContent-Length: 10\r\n\r\nhelloworld", [[400]], True),
    ("SMUG-CL-COMMA-DIFFERENT", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 5, 10\r\n\r\nhello", [[400]], True),
    ("SMUG-CL-COMMA-SAME", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 5, 5\r\n\r\nhello", [[400]], True),
    ("CL-PLUS-SIGN", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: +5\r\n\r\nhello", [[400]], True),
    ("SMUG-CL-NEGATIVE", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: -1\r\n\r\n", [[400]], True),
    ("SMUG-CL-HEX-PREFIX", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 0x5\r\n\r\nhello", [[400]], True),
    ("MAL-CL-OVERFLOW", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 99999999999999999999\r\n\r\n", [[400]], True),
    ("SMUG-CL-LEADING-ZEROS", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 005\r\n\r\nhello", [[200]], False),
    ("SMUG-TE-XCHUNKED", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: xchunked\r\nContent-Length: 5\r\n\r\nhello", [[400], [501]], True),
    ("SMUG-TE-TRAILING-SPACE", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked \r\nContent-Length: 5\r\n\r\nhello", [[400]], True),
    ("SMUG-TE-SP-BEFORE-COLON", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", [[400]], True),
    ("SMUG-TE-OBS-FOLD", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding:\r\n chunked\r\nContent-Length: 5\r\n\r\nhello", [[400]], True),
    ("SMUG-TE-VTAB", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: \x0bchunked\r\n\r\n0\r\n\r\n", [[400]], True),
    ("SMUG-TE-NULL", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\x00\r\n\r\n0\r\n\r\n", [[400]], True),
    ("SMUG-TE-DUPLICATE-HEADERS", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\nContent-Length: 5\r\n\r\nhello", [[400]], True),
    ("SMUG-TE-NOT-FINAL-CHUNKED", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", [[400]], True),
    ("SMUG-TE-IDENTITY", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: identity\r\nContent-Length: 5\r\n\r\nhello", [[400]], True),
    ("COMP-UNKNOWN-TE-501", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: gzip\r\n\r\n", [[501]], True),
    ("SMUG-TE-HTTP10", b"POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", [[400]], True),
    ("SMUG-TRANSFER_ENCODING", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer_Encoding: chunked\r\nContent-Length: 5\r\n\r\nhello", [[200]], False),
    ("SMUG-CHUNK-SIZE-PLUS", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n", [[400]], True),
    ("SMUG-CHUNK-NEGATIVE", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n-1\r\nhello\r\n0\r\n\r\n", [[400]], True),
    ("SMUG-CHUNK-HEX-PREFIX", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", [[400]], True),
    ("SMUG-CHUNK-LEADING-SP", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n", [[400]], True),
    ("SMUG-CHUNK-SIZE-TRAILING-OWS", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n", [[400]], True),
    ("SMUG-CHUNK-BARE-SEMICOLON", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n5;\r\nhello\r\n0\r\n\r\n", [[400]], True),
    ("SMUG-CHUNK-EXT-INVALID-TOKEN", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n5;bad[=x\r\nhello\r\n0\r\n\r\n", [[400]], True),
    ("SMUG-CHUNK-BARE-CR-TERM", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n5\rhello\r\n0\r\n\r\n", [[400]], True),
    ("SMUG-CHUNK-SPILL", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello!!\r\n0\r\n\r\n", [[400]], True),
    ("SMUG-CHUNK-MISSING-TRAILING-CRLF", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello0\r\n\r\n", [[400]], True),
    ("SMUG-CHUNK-INVALID-SIZE-DESYNC", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n+0\r\n\r\nX", [[400]], True),
    ("MAL-CHUNK-SIZE-OVERFLOW", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF0\r\nhello\r\n0\r\n\r\n", [[400]], True),
    ("MAL-CHUNK-EXT-64K", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n5;" + b"a" * 65536 + b"\r\nhello\r\n0\r\n\r\n", [[400]], True),
    ("SMUG-TRAILER-CL", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nContent-Length: 50\r\n\r\n", [[200]], False),
    ("SMUG-TRAILER-HOST", b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nHost: evil\r\n\r\n", [[200]], False),
    ("SMUG-CL0-BODY-POISON", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 0\r\n\r\nXGET /healthz HTTP/1.1\r\nHost: h\r\n\r\n", [[200, 501], [200, 400]], True),
    ("SMUG-HEAD-CL-BODY", b"HEAD /healthz HTTP/1.1\r\n" + H + b"Content-Length: 5\r\n\r\nhelloGET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", [[200, 200]], True),
    ("SMUG-OPTIONS-CL-BODY", b"OPTIONS /healthz HTTP/1.1\r\n" + H + b"Content-Length: 5\r\n\r\nhelloGET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", [[405, 200]], True),
    ("SMUG-EXPECT-100-CL", b"POST /echo HTTP/1.1\r\n" + H + b"Expect: 100-continue\r\nContent-Length: 5\r\n\r\nhello", [[100, 200]], False),
    ("SMUG-ABSOLUTE-URI-HOST-MISMATCH", b"GET http://other.example.com/healthz HTTP/1.1\r\n" + H + b"\r\n", [[200]], False),
    ("BARE-LF-REQUEST-LINE", b"GET /healthz HTTP/1.1\n" + H + b"\r\n", [[400]], True),
    ("BARE-LF-HEADER", b"GET /healthz HTTP/1.1\r\nHost: h\n\r\n", [[400]], True),
    ("CR-ONLY-LINE-ENDING", b"GET /healthz HTTP/1.1\rHost: h\r\n\r\n", [[400]], True),
    ("OBS-FOLD", b"GET /healthz HTTP/1.1\r\n" + H + b"X-Test: value\r\n continued\r\n\r\n", [[400]], True),
    ("MISSING-HOST", b"GET /healthz HTTP/1.1\r\n\r\n", [[400]], True),
    ("DUPLICATE-HOST", b"GET /healthz HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n", [[400]], True),
    ("HOST-WITH-USERINFO", b"GET /healthz HTTP/1.1\r\nHost: user@h\r\n\r\n", [[400]], True),
    ("WHITESPACE-BEFORE-HEADERS", b"GET /healthz HTTP/1.1\r\n \r\n" + H + b"\r\n", [[400]], True),
    ("MULTI-SP-REQUEST-LINE", b"GET  /healthz HTTP/1.1\r\n" + H + b"\r\n", [[400]], True),
    ("INVALID-VERSION", b"GET /healthz HTTP/1\r\n" + H + b"\r\n", [[400]], True),
    ("VERSION-2", b"GET /healthz HTTP/2.0\r\n" + H + b"\r\n", [[505]], True),
    ("HTTP09", b"GET /\r\n\r\n", [[400]], True),
    ("ASTERISK-WITH-GET", b"GET * HTTP/1.1\r\n" + H + b"\r\n", [[400]], True),
    ("NUL-IN-URL", b"GET /a\x00b HTTP/1.1\r\n" + H + b"\r\n", [[400]], True),
    ("NON-ASCII-URL", b"GET /caf\xc3\xa9 HTTP/1.1\r\n" + H + b"\r\n", [[400]], True),
    ("OVERLONG-UTF8-URL", b"GET /\xc0\xaf HTTP/1.1\r\n" + H + b"\r\n", [[400]], True),
    ("MAL-LONG-URL", b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\n" + H + b"\r\n", [[414]], True),
    ("MAL-LONG-HEADER-VALUE", b"GET /healthz HTTP/1.1\r\n" + H + b"X: " + b"v" * 100000 + b"\r\n\r\n", [[431]], True),
    ("MAL-LONG-HEADER-NAME", b"GET /healthz HTTP/1.1\r\n" + H + b"N" * 100000 + b": v\r\n\r\n", [[431]], True),
    ("MAL-MANY-HEADERS", b"GET /healthz HTTP/1.1\r\n" + H + b"".join(b"X-%d: v\r\n" % i for i in range(10000)) + b"\r\n", [[431]], True),
    ("MAL-LONG-METHOD", b"A" * 100000 + b" / HTTP/1.1\r\n" + H + b"\r\n", [[501], [400]], True),
    ("MAL-POST-CL-HUGE-NO-BODY", b"POST /echo HTTP/1.1\r\n" + H + b"Content-Length: 999999999\r\n\r\n", [[413]], True),
    ("MAL-BINARY-GARBAGE", bytes(range(1, 40)) + b"\r\n\r\n", [[400]], True),
    ("NUL-IN-HEADER-VALUE", b"GET /healthz HTTP/1.1\r\n" + H + b"X: a\x00b\r\n\r\n", [[400]], True),
    ("CONTROL-CHAR-IN-HEADER", b"GET /healthz HTTP/1.1\r\n" + H + b"X: a\x01b\r\n\r\n", [[400]], True),
    ("SP-BEFORE-COLON", b"GET /healthz HTTP/1.1\r\nHost : h\r\n\r\n", [[400]], True),
    ("UNKNOWN-METHOD", b"FOO /healthz HTTP/1.1\r\n" + H + b"\r\n", [[501]], True),
    ("405-WITH-ALLOW", b"DELETE /healthz HTTP/1.1\r\n" + H + b"\r\n", [[405]], False),
    ("404", b"GET /nowhere HTTP/1.1\r\n" + H + b"\r\n", [[404]], False),
    ("PIPELINE-SAFE", b"GET /healthz HTTP/1.1\r\n" + H + b"\r\nGET /healthz HTTP/1.1\r\n" + H + b"\r\n", [[200, 200]], False),
    ("HTTP10-CLOSES", b"GET /healthz HTTP/1.0\r\n\r\n", [[200]], True),
    ("HTTP10-KEEPALIVE", b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", [[200]], False),
    ("CONNECTION-CLOSE", b"GET /healthz HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n", [[200]], True),
    ("LEADING-CRLF", b"\r\nGET /healthz HTTP/1.1\r\n" + H + b"\r\n", [[200]], False),
]


def conformance(args):
    failures = []
    for case_id, request, acceptable, must_close in CASES:
        raw, closed = exchange(args.port, request, timeout=1.5 if must_close else 0.6)
        found = response_statuses(raw, head_requests=1 if request.startswith(b"HEAD ") else 0)
        ok = found in acceptable
        if must_close and not closed:
            ok = False
        if not must_close and closed:
            ok = False
        if case_id == "405-WITH-ALLOW" and b"\r\nAllow: " not in raw:
            ok = False
        if case_id == "HTTP10-KEEPALIVE" and b"Connection: keep-alive" not in raw:
            ok = False
        if case_id.startswith("SMUG-HEAD") and raw.count(b'{"status":"ok"}') != 1:
            ok = False  # HEAD gets no body; the GET after it does
        if b"\r\nDate: " not in raw and found:
            ok = False
        print(f"{'ok  ' if ok else 'FAIL'} {case_id}: statuses {found}, closed={closed}")
        if not ok:
            failures.append((case_id, found, closed, raw[:300]))
    # Responses to errors that close must say so.
    raw, _ = exchange(args.port, b"GET /healthz HTTP/1.1\r\n\r\n")
    if b"Connection: close" not in raw:
        failures.append(("error-response-says-close", statuses(raw), None, raw[:300]))
    # 204-style checks: HEAD has Content-Length but no body.
    raw, _ = exchange(args.port, b"HEAD /healthz HTTP/1.1\r\n" + H + b"Connection: close\r\n\r\n")
    if not raw.endswith(b"\r\n\r\n") or b"Content-Length: 15" not in raw:
        failures.append(("head-no-body", statuses(raw), None, raw[:300]))
    if failures:
        for failure in failures:
            print("FAILED:", failure)
        return 1
    print(f"{len(CASES)} conformance cases passed")
    return 0


async def one_keepalive_client(port, index, barrier_event, results):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    results["connected"] += 1
    await barrier_event.wait()
    for _ in range(2):
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n")
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"client {index}: {head[:60]!r}")
        length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
        await reader.readexactly(length)
    results["done"] += 1
    writer.close()


async def concurrency_main(port, connections):
    results = {"connected": 0, "done": 0}
    event = asyncio.Event()
    tasks = [asyncio.create_task(one_keepalive_client(port, i, event, results)) for i in range(connections)]
    while results["connected"] < connections:
        await asyncio.sleep(0.05)
        if any(t.done() and t.exception() for t in tasks):
            break
    event.set()
    await asyncio.wait_for(asyncio.gather(*tasks), timeout=60)
    return results


def concurrency(args):
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.connections * 2 + 100)), hard))
    started = time.monotonic()
    results = asyncio.run(concurrency_main(args.port, args.connections))
    print(f"{results['done']} of {args.connections} concurrent keep-alive connections completed 2 requests each in {time.monotonic() - started:.2f}s")
    return 0 if results["done"] == args.connections else 1


def slowloris(args):
    """Trickles a request head one byte at a time: the server must answer 408 and close near the
    header deadline, and an unrelated client must be served meanwhile."""
    sock = socket.create_connection(("127.0.0.1", args.port))
    sock.settimeout(0.2)
    started = time.monotonic()
    request = b"GET /healthz HTTP/1.1\r\nHost: h\r\nX-Slow: " + b"a" * 1000
    received = b""
    closed = False
    served_meanwhile = False
    for byte in request:
        try:
            sock.send(bytes([byte]))
        except (BrokenPipeError, ConnectionResetError):
            closed = True
            break
        try:
            piece = sock.recv(65536)
            if not piece:
                closed = True
                break
            received += piece
        except socket.timeout:
            pass
        if not served_meanwhile and time.monotonic() - started > args.deadline / 2:
            raw, _ = exchange(args.port, b"GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
            served_meanwhile = response_statuses(raw) == [200]
        if time.monotonic() - started > args.deadline * 3 + 2:
            break
    elapsed = time.monotonic() - started
    try:
        while not closed:
            piece = sock.recv(65536)
            if not piece:
                closed = True
            received += piece
    except (socket.timeout, ConnectionResetError):
        closed = True
    print(f"slowloris: statuses {response_statuses(received)}, closed={closed} after {elapsed:.2f}s (deadline {args.deadline}s); other client served: {served_meanwhile}")
    ok = response_statuses(received) == [408] and closed and args.deadline * 0.8 <= elapsed <= args.deadline + 1.5 and served_meanwhile
    return 0 if ok else 1


def non_reader(args):
    """Pipelines requests for large responses and never reads; other clients must still be
    served quickly."""
    stuck = socket.create_connection(("127.0.0.1", args.port))
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    request = b"GET /big?size=1048576 HTTP/1.1\r\nHost: h\r\n\r\n"
    stuck.setblocking(False)
    sent = 0
    for _ in range(64):
        try:
            sent += stuck.send(request)
        except BlockingIOError:
            break
    latencies = []
    for _ in range(50):
        started = time.monotonic()
        raw, _ = exchange(args.port, b"GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", timeout=5)
        latencies.append(time.monotonic() - started)
        if response_statuses(raw) != [200]:
            print("FAIL: a normal client was not served while another did not read")
            return 1
    latencies.sort()
    stuck.close()
    print(f"non-reader: sent {sent} request bytes and never read; 50 other requests served, p50 {latencies[25]*1000:.1f} ms, max {latencies[-1]*1000:.1f} ms")
    return 0 if latencies[-1] < 1.0 else 1


def clients(args):
    """Ordinary client use with `requests`, keep-alive reuse, pipelining and chunked uploads."""
    import requests
    base = f"http://127.0.0.1:{args.port}"
    with requests.Session() as session:
        for _ in range(20):
            response = session.get(base + "/healthz")
            assert response.status_code == 200 and response.json() == {"status": "ok"}, response.text
        response = session.post(base + "/echo", data=b"x" * 100000)
        assert response.status_code == 200 and response.content == b"x" * 100000
        def gen():
            for i in range(50):
                yield (b"%03d," % i) * 100
        response = session.post(base + "/echo", data=gen())  # requests sends this chunked
        assert response.status_code == 200 and response.content == b"".join((b"%03d," % i) * 100 for i in range(50)), len(response.content)
        response = session.get(base + "/stream?chunks=20")
        assert response.status_code == 200 and response.headers.get("Transfer-Encoding") == "chunked"
        assert response.text == "".join(f"line {i}\n" for i in range(20)), response.text
        response = session.get(base + "/missing")
        assert response.status_code == 404 and response.headers["Content-Type"] == "application/problem+json"
        assert response.json()["status"] == 404
    # Pipelining: ten requests in one write, ten responses in order.
    requests_bytes = b"".join(b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n%02d" % i for i in range(10))
    raw, _ = exchange(args.port, requests_bytes + b"GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
    responses = parse_responses(raw)
    assert [code for code, _, _ in responses] == [200] * 11, responses
    assert [body for _, _, body in responses[:10]] == [b"%02d" % i for i in range(10)], responses
    print("clients: requests session, chunked upload, streaming response and pipelining all correct")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("check", choices=["conformance", "concurrency", "slowloris", "non-reader", "clients"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--deadline", type=float, default=1.0)
    args = parser.parse_args()
    handler = {"conformance": conformance, "concurrency": concurrency, "slowloris": slowloris, "non-reader": non_reader, "clients": clients}[args.check]
    sys.exit(handler(args))


if __name__ == "__main__":
    main()
