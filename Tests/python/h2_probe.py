#!/usr/bin/env python3
"""Raw-frame HTTP/2 (h2c) checks against a running slipway test server.

Each subcommand drives the server at 127.0.0.1:PORT and exits non-zero (printing what went
wrong) if it misbehaves. Attack cases assert the server's answer (GOAWAY, RST_STREAM, 431,
close) AND that it keeps serving: a "bystander" connection opened before the attack still
works afterwards, and so does a fresh one. Frames are built with hyperframe and hpack, so
the client can do what a well-behaved library never would.

    h2_probe.py max-streams --port 8080         101st concurrent stream
    h2_probe.py header-budget --port 8080       431 for a large list, RST for an HPACK bomb
    h2_probe.py rapid-reset --port 8080         HEADERS+RST_STREAM flood (CVE-2023-44487)
    h2_probe.py continuation --port 8080        endless CONTINUATION (CVE-2024-28182)
    h2_probe.py server-resets --port 8080       make the server reset streams (MadeYouReset)
    h2_probe.py settings-flood --port 8080      SETTINGS with 40 entries
    h2_probe.py zero-window --port 8080         a response the client's flow control blocks
    h2_probe.py backpressure --port 8080        a streaming body the client does not read
    h2_probe.py backpressure-connection ...      forty of them on one connection
    h2_probe.py non-reader --port 8080          a client that stops reading the socket
    h2_probe.py idle --port 8080                an idle connection gets GOAWAY and closes
    h2_probe.py shutdown --port 8080            graceful shutdown (run while the server stops)
    h2_probe.py upgrade --port 8080             Upgrade: h2c, valid and invalid
    h2_probe.py gzip --port 8080                compressed responses and request bodies, h2 and 1.1
"""

import argparse
import gzip
import json
import socket
import struct
import sys
import time
import zlib

import hpack
from hyperframe.frame import (
    ContinuationFrame,
    DataFrame,
    Frame,
    GoAwayFrame,
    HeadersFrame,
    PingFrame,
    RstStreamFrame,
    SettingsFrame,
    WindowUpdateFrame,
)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
NO_ERROR, PROTOCOL_ERROR, INTERNAL_ERROR, REFUSED_STREAM, CANCEL, ENHANCE_YOUR_CALM = 0, 1, 2, 7, 8, 11


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


class Connection:
    """A raw h2c connection: sends frames, collects and decodes what comes back."""

    def __init__(self, port, settings=None, timeout=5.0, ack_settings=True, sock=None, buffered=b"", next_stream=1):
        """Connects (or takes over `sock`, e.g. after a 101, with `buffered` bytes already
        read) and sends the client preface."""
        self.sock = sock or socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        self.buffer = buffered
        self.frames = []
        self.closed = False
        self.headers = {}   # stream id -> list of (name, value)
        self.data = {}      # stream id -> bytes
        self.ended = set()  # streams the server ended
        self.resets = {}    # stream id -> error code
        self.goaways = []   # (last stream id, error code)
        self.next_stream = next_stream
        self.sock.sendall(PREFACE + SettingsFrame(0, settings=settings or {}).serialize())
        self._parse()
        if ack_settings:
            # Wait for the server's SETTINGS and acknowledge them, so its limits apply.
            self.read_until(lambda f: isinstance(f, SettingsFrame) and "ACK" not in f.flags, timeout=timeout)

    def send(self, *frames):
        self.sock.sendall(b"".join(frame.serialize() for frame in frames))

    def request_frames(self, path, method="GET", end_stream=True, extra=(), stream_id=None):
        stream_id = stream_id or self.next_stream
        self.next_stream = max(self.next_stream, stream_id + 2)
        headers = [(":method", method), (":scheme", "http"), (":path", path), (":authority", "localhost")] + list(extra)
        flags = ["END_HEADERS"] + (["END_STREAM"] if end_stream else [])
        return stream_id, HeadersFrame(stream_id, data=self.encoder.encode(headers), flags=flags)

    def request(self, path, **kwargs):
        stream_id, frame = self.request_frames(path, **kwargs)
        self.send(frame)
        return stream_id

    def read_until(self, predicate, timeout=5.0):
        """Reads frames until `predicate(frame)` is true for one of them, the server closes,
        or `timeout` passes. Returns the matching frame or None."""
        deadline = time.monotonic() + timeout
        for frame in self.frames:
            if predicate(frame):
                return frame
        while not self.closed and time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                piece = self.sock.recv(65536)
            except socket.timeout:
                break
            except (ConnectionResetError, BrokenPipeError):
                self.closed = True
                break
            if not piece:
                self.closed = True
                break
            self.buffer += piece
            found = None
            for frame in self._parse():
                if found is None and predicate(frame):
                    found = frame
            if found is not None:
                return found
        return None

    def _parse(self):
        parsed = []
        while len(self.buffer) >= 9:
            frame, length = Frame.parse_frame_header(memoryview(self.buffer[:9]))
            if len(self.buffer) < 9 + length:
                break
            frame.parse_body(memoryview(self.buffer[9:9 + length]))
            self.buffer = self.buffer[9 + length:]
            self._absorb(frame)
            self.frames.append(frame)
            parsed.append(frame)
        return parsed

    def _absorb(self, frame):
        if isinstance(frame, SettingsFrame) and "ACK" not in frame.flags:
            self.send(SettingsFrame(0, flags=["ACK"]))
        elif isinstance(frame, PingFrame) and "ACK" not in frame.flags:
            self.send(PingFrame(0, opaque_data=frame.opaque_data, flags=["ACK"]))
        elif isinstance(frame, HeadersFrame):
            self.headers.setdefault(frame.stream_id, []).extend(self.decoder.decode(frame.data))
            if "END_STREAM" in frame.flags:
                self.ended.add(frame.stream_id)
        elif isinstance(frame, DataFrame):
            self.data[frame.stream_id] = self.data.get(frame.stream_id, b"") + frame.data
            if frame.data:
                # Keep both windows open, as a reading client does.
                self.send(WindowUpdateFrame(0, window_increment=len(frame.data)), WindowUpdateFrame(frame.stream_id, window_increment=len(frame.data)))
            if "END_STREAM" in frame.flags:
                self.ended.add(frame.stream_id)
        elif isinstance(frame, RstStreamFrame):
            self.resets[frame.stream_id] = frame.error_code
        elif isinstance(frame, GoAwayFrame):
            self.goaways.append((frame.last_stream_id, frame.error_code))

    def status(self, stream_id):
        for name, value in self.headers.get(stream_id, []):
            if name in (":status", b":status"):
                return int(value)
        return None

    def header(self, stream_id, wanted):
        for name, value in self.headers.get(stream_id, []):
            name = name.decode() if isinstance(name, bytes) else name
            if name == wanted:
                return value.decode() if isinstance(value, bytes) else value
        return None

    def wait_response(self, stream_id, timeout=5.0):
        """Waits for the end (or reset) of `stream_id`; returns its status."""
        self.read_until(lambda f: stream_id in self.ended or stream_id in self.resets, timeout=timeout)
        return self.status(stream_id)

    def wait_closed(self, timeout=5.0):
        self.read_until(lambda f: False, timeout=timeout)
        return self.closed

    def get(self, path, timeout=5.0):
        return self.wait_response(self.request(path), timeout=timeout)

    def close(self):
        self.sock.close()


def still_serving(port, bystander=None):
    """The attack left the server serving: the bystander connection and a fresh one both get
    200 for /healthz."""
    if bystander is not None:
        check(bystander.get("/healthz") == 200, "the bystander connection stopped being served")
        bystander.close()
    fresh = Connection(port)
    check(fresh.get("/healthz") == 200, "a fresh connection was not served")
    fresh.close()


# MARK: - Attacks

def max_streams(args):
    """SETTINGS_MAX_CONCURRENT_STREAMS is 100: the 101st open stream is refused (nghttp2
    answers PROTOCOL_ERROR for the connection, or REFUSED_STREAM before our SETTINGS are
    acknowledged)."""
    bystander = Connection(args.port)
    conn = Connection(args.port)
    advertised = next(f for f in conn.frames if isinstance(f, SettingsFrame) and "ACK" not in f.flags).settings
    check(advertised.get(SettingsFrame.MAX_CONCURRENT_STREAMS) == 100, f"advertised {advertised}")
    frames = [conn.request_frames("/slow?ms=1500")[1] for _ in range(101)]
    conn.send(*frames)
    last = conn.next_stream - 2
    conn.read_until(lambda f: conn.goaways or last in conn.resets, timeout=5)
    refused = conn.resets.get(last) == REFUSED_STREAM
    goaway = any(code == PROTOCOL_ERROR for _, code in conn.goaways)
    check(refused or goaway, f"the 101st stream was neither refused nor answered with GOAWAY: resets={conn.resets} goaways={conn.goaways}")
    still_serving(args.port, bystander)
    print(f"max-streams: 101st stream -> {'RST_STREAM REFUSED_STREAM' if refused else 'GOAWAY PROTOCOL_ERROR'}; server still serving")
    return 0


def header_budget(args):
    """A header list over the budget gets 431; an HPACK bomb (one 4 KiB entry referenced
    over and over: a few bytes on the wire, 160 KB decoded) gets RST_STREAM; the connection
    and the server keep serving."""
    bystander = Connection(args.port)
    conn = Connection(args.port)
    big = [(f"x-large-{i}", "v" * 4000) for i in range(10)]  # ~40 KB > 32 KiB
    stream_id, frame = conn.request_frames("/healthz", extra=big)
    # The block is larger than one frame: split it into HEADERS + CONTINUATION.
    block = frame.data
    pieces = [block[i:i + 16000] for i in range(0, len(block), 16000)]
    frames = [HeadersFrame(stream_id, data=pieces[0], flags=["END_STREAM"])]
    for index, piece in enumerate(pieces[1:], start=1):
        frames.append(ContinuationFrame(stream_id, data=piece, flags=["END_HEADERS"] if index == len(pieces) - 1 else []))
    conn.send(*frames)
    status = conn.wait_response(stream_id)
    check(status == 431, f"a 40 KB header list got {status}, resets={conn.resets}")
    check(conn.get("/healthz") == 200, "the connection stopped serving after a 431")

    repeated = [("x-bomb", "b" * 4000)] * 40
    stream_id, frame = conn.request_frames("/healthz", extra=repeated)
    check(len(frame.data) < 8000, f"the HPACK bomb is {len(frame.data)} bytes on the wire")
    conn.send(frame)
    conn.read_until(lambda f: stream_id in conn.resets or stream_id in conn.ended, timeout=5)
    check(stream_id in conn.resets, f"the HPACK bomb was not reset: status {conn.status(stream_id)}")
    check(conn.get("/healthz") == 200, "the connection stopped serving after the reset")
    conn.close()
    still_serving(args.port, bystander)
    print(f"header-budget: 40 KB list -> 431; {len(frame.data)}-byte HPACK bomb -> RST_STREAM {conn.resets[stream_id]}; still serving")
    return 0


def rapid_reset(args):
    """3000 × (HEADERS + RST_STREAM CANCEL) in one burst: the Rapid Reset limiter (Debian
    backport, burst 1000) ends the connection with GOAWAY."""
    bystander = Connection(args.port)
    conn = Connection(args.port)
    frames = []
    for _ in range(3000):
        stream_id, frame = conn.request_frames("/healthz")
        frames += [frame, RstStreamFrame(stream_id, error_code=CANCEL)]
    try:
        conn.send(*frames)
    except (BrokenPipeError, ConnectionResetError):
        pass
    conn.read_until(lambda f: conn.goaways, timeout=5)
    check(conn.goaways, "no GOAWAY after 3000 rapid resets")
    last, code = conn.goaways[-1]
    check(code != NO_ERROR and last < 2 * 3000, f"GOAWAY {conn.goaways}")
    check(conn.wait_closed(), "the connection stayed open after the reset flood")
    still_serving(args.port, bystander)
    print(f"rapid-reset: GOAWAY(last_stream_id={last}, error={code}) and close; still serving")
    return 0


def continuation(args):
    """Eight CONTINUATION frames are accepted; a HEADERS frame followed by 20 empty ones ends
    the connection (CVE-2024-28182 backport)."""
    bystander = Connection(args.port)
    conn = Connection(args.port)
    stream_id, frame = conn.request_frames("/healthz")
    frames = [HeadersFrame(stream_id, data=frame.data, flags=["END_STREAM"])]
    frames += [ContinuationFrame(stream_id, data=b"") for _ in range(7)]
    frames.append(ContinuationFrame(stream_id, data=b"", flags=["END_HEADERS"]))
    conn.send(*frames)
    check(conn.wait_response(stream_id) == 200, "eight CONTINUATION frames were not accepted")

    stream_id, frame = conn.request_frames("/healthz")
    frames = [HeadersFrame(stream_id, data=frame.data, flags=["END_STREAM"])]
    frames += [ContinuationFrame(stream_id, data=b"") for _ in range(20)]
    try:
        conn.send(*frames)
    except (BrokenPipeError, ConnectionResetError):
        pass
    check(conn.wait_closed(), "the connection stayed open after 20 CONTINUATION frames")
    check(stream_id not in conn.ended, "the flooded request was answered")
    check(any(code == ENHANCE_YOUR_CALM for _, code in conn.goaways), f"no GOAWAY ENHANCE_YOUR_CALM before the close: {conn.goaways}")
    still_serving(args.port, bystander)
    print(f"continuation: 8 accepted; 20 -> GOAWAY {conn.goaways[-1]} and close; still serving")
    return 0


def server_resets(args):
    """A header field name with an uppercase letter is malformed in HTTP/2 (RFC 9113
    §8.2.1): nghttp2 resets the stream with PROTOCOL_ERROR. Repeated, this makes the
    *server* send reset after reset (the MadeYouReset pattern); its own reset budget runs
    out and it ends the connection with ENHANCE_YOUR_CALM."""
    bystander = Connection(args.port)
    conn = Connection(args.port)
    for _ in range(args.count):
        stream_id, frame = conn.request_frames("/healthz", extra=[("X-Malformed", "1")])
        try:
            conn.send(frame)
        except (BrokenPipeError, ConnectionResetError):
            break
        conn.read_until(lambda f: stream_id in conn.resets or conn.goaways, timeout=2)
        if conn.goaways or conn.closed:
            break
    conn.read_until(lambda f: conn.goaways, timeout=3)
    check(len(conn.resets) > 0 and all(code == PROTOCOL_ERROR for code in conn.resets.values()), f"resets {conn.resets}")
    check(any(code == ENHANCE_YOUR_CALM for _, code in conn.goaways), f"no GOAWAY ENHANCE_YOUR_CALM after {len(conn.resets)} server resets: {conn.goaways}")
    check(conn.wait_closed(), "the connection stayed open")
    still_serving(args.port, bystander)
    print(f"server-resets: {len(conn.resets)} RST_STREAM(PROTOCOL_ERROR), then GOAWAY(ENHANCE_YOUR_CALM) and close; still serving")
    return 0


def settings_flood(args):
    """SETTINGS with 40 entries (the library allows 32) gets GOAWAY ENHANCE_YOUR_CALM."""
    bystander = Connection(args.port)
    conn = Connection(args.port)
    payload = b"".join(struct.pack("!HI", 0x4, 65535 + i) for i in range(40))
    conn.sock.sendall(struct.pack("!I", len(payload))[1:] + b"\x04\x00\x00\x00\x00\x00" + payload)
    conn.read_until(lambda f: conn.goaways, timeout=5)
    check(any(code == ENHANCE_YOUR_CALM for _, code in conn.goaways), f"goaways {conn.goaways}")
    check(conn.wait_closed(), "the connection stayed open")
    still_serving(args.port, bystander)
    print("settings-flood: GOAWAY(ENHANCE_YOUR_CALM) and close; still serving")
    return 0


def zero_window(args):
    """A client that opens no window for a response (SETTINGS_INITIAL_WINDOW_SIZE 0, no
    WINDOW_UPDATE): the stream is reset with CANCEL after the write-stall timeout."""
    bystander = Connection(args.port)
    conn = Connection(args.port, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 0})
    started = time.monotonic()
    stream_id = conn.request("/big?size=200000")
    conn.read_until(lambda f: stream_id in conn.resets, timeout=args.deadline + 3)
    elapsed = time.monotonic() - started
    check(conn.status(stream_id) == 200, f"status {conn.status(stream_id)}")
    check(conn.resets.get(stream_id) == CANCEL, f"no RST_STREAM CANCEL: {conn.resets}")
    check(elapsed >= args.deadline * 0.9, f"reset after {elapsed:.2f} s, before the {args.deadline} s stall timeout")
    check(not conn.data.get(stream_id), "DATA was sent into a zero window")
    check(conn.get("/healthz") == 200, "the connection stopped serving")
    still_serving(args.port, bystander)
    print(f"zero-window: RST_STREAM(CANCEL) after {elapsed:.1f} s; connection and server still serving")
    return 0


def backpressure(args):
    """A streaming body whose client does not read: the producer is held back by the
    per-stream buffer cap, not allowed to fill memory."""
    conn = Connection(args.port, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 16384})
    # Read nothing after this: no WINDOW_UPDATE, so only 16 KiB may be sent.
    stream_id = conn.request("/infinite")
    time.sleep(1.5)
    probe = Connection(args.port)
    sid = probe.request("/infinite-count")
    probe.wait_response(sid)
    written = int(probe.data[sid])
    probe.close()
    check(written < 256 * 1024, f"the producer wrote {written} bytes into a stream nobody reads")
    conn.close()
    print(f"backpressure: producer held at {written} bytes while the client read nothing")
    return 0


def backpressure_connection(args):
    """Forty streaming bodies on one connection whose client opens no window at all: each
    stream may buffer 64 KiB, but together they are held to the connection's 1 MiB cap."""
    conn = Connection(args.port, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 0})
    conn.send(*[conn.request_frames("/infinite")[1] for _ in range(40)])
    time.sleep(1.5)
    probe = Connection(args.port)
    sid = probe.request("/infinite-count")
    probe.wait_response(sid)
    written = int(probe.data[sid])
    probe.close()
    # The cap plus at most one 16 KiB chunk per stream that was accepted before its writer waited.
    check(written <= 1024 * 1024 + 40 * 16 * 1024, f"forty unread streams buffered {written} bytes")
    check(written >= 512 * 1024, f"only {written} bytes were produced; the test did not reach the cap")
    conn.close()
    print(f"backpressure-connection: forty unread streams held at {written} bytes in total")
    return 0


def non_reader(args):
    """A client that asks for a large body with wide-open windows and then never reads the
    socket: once the output has made no progress for the write-stall timeout the server
    drops the connection, while another connection is served meanwhile."""
    bystander = Connection(args.port)
    conn = Connection(args.port, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 2**31 - 1})
    conn.send(WindowUpdateFrame(0, window_increment=2**31 - 1 - 65535))
    conn.request("/big?size=50000000")
    started = time.monotonic()
    time.sleep(0.5)
    check(bystander.get("/healthz") == 200, "the bystander was not served while a peer stalled")
    time.sleep(args.deadline + 1.5)
    received = 0
    conn.sock.settimeout(2)
    try:
        while True:
            piece = conn.sock.recv(1 << 20)
            if not piece:
                break
            received += len(piece)
    except (ConnectionResetError, socket.timeout) as error:
        check(not isinstance(error, socket.timeout), "the stalled connection was not closed")
    elapsed = time.monotonic() - started
    check(received < 50000000, f"the whole body arrived ({received} bytes)")
    still_serving(args.port, bystander)
    print(f"non-reader: dropped after the write stall ({received} bytes had been queued, {elapsed:.1f} s); still serving")
    return 0


def idle(args):
    """After its last stream, an idle connection gets GOAWAY(NO_ERROR) and is closed."""
    conn = Connection(args.port)
    check(conn.get("/healthz") == 200, "not served")
    started = time.monotonic()
    closed = conn.wait_closed(timeout=args.deadline + 3)
    elapsed = time.monotonic() - started
    check(closed, "the idle connection was not closed")
    check(any(code == NO_ERROR for _, code in conn.goaways), f"goaways {conn.goaways}")
    check(elapsed >= args.deadline * 0.8, f"closed after {elapsed:.2f} s, before the idle timeout")
    print(f"idle: GOAWAY(NO_ERROR) and close after {elapsed:.2f} s")
    return 0


def shutdown(args):
    """Run while the server shuts down gracefully: a slow request in flight finishes; the
    server sends the shutdown notice (GOAWAY 2^31-1) with a PING, a stream opened after the
    notice is still served, then the final GOAWAY names the last stream and the connection
    closes."""
    conn = Connection(args.port)
    slow = conn.request("/slow?ms=1500")
    conn.read_until(lambda f: conn.goaways, timeout=10)
    check(conn.goaways and conn.goaways[0] == (2**31 - 1, NO_ERROR), f"first GOAWAY {conn.goaways}")
    late = conn.request("/healthz")
    conn.read_until(lambda f: len(conn.goaways) >= 2, timeout=5)
    check(len(conn.goaways) >= 2, f"no final GOAWAY: {conn.goaways}")
    final_last, final_code = conn.goaways[1]
    check(final_code == NO_ERROR and final_last >= slow, f"final GOAWAY {conn.goaways[1]}")
    conn.read_until(lambda f: slow in conn.ended, timeout=5)
    check(conn.status(slow) == 200 and conn.data.get(slow) == b"slept 1500 ms", f"slow stream: {conn.status(slow)} {conn.data.get(slow)}")
    if late <= final_last:
        conn.read_until(lambda f: late in conn.ended, timeout=3)
        check(conn.status(late) == 200, f"the stream opened after the notice got {conn.status(late)}")
    check(conn.wait_closed(), "the connection stayed open after its streams finished")
    print(f"shutdown: GOAWAY(2^31-1) + PING, final GOAWAY(last={final_last}), in-flight streams finished, closed")
    return 0


# MARK: - Upgrade

def http1_exchange(port, request, timeout=3.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        received = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and b"\r\n\r\n" not in received:
            piece = sock.recv(65536)
            if not piece:
                break
            received += piece
        return received


def upgrade(args):
    """Upgrade: h2c switches only for a GET/HEAD without body, exactly one valid
    HTTP2-Settings and Connection: Upgrade, HTTP2-Settings; anything else is HTTP/1.1."""
    settings = "AAMAAABkAAQCAAAAAAIAAAAA"  # what curl 7.88 sends
    def request(method="GET", extra=b"", connection=b"Upgrade, HTTP2-Settings", settings_lines=None, version=b"HTTP/1.1", body=b""):
        lines = settings_lines if settings_lines is not None else [settings.encode()]
        head = b"%s /healthz %s\r\nHost: h\r\nConnection: %s\r\nUpgrade: h2c\r\n" % (method.encode(), version, connection)
        head += b"".join(b"HTTP2-Settings: %s\r\n" % line for line in lines)
        if body:
            head += b"Content-Length: %d\r\n" % len(body)
        return head + extra + b"\r\n" + body

    cases = [
        ("POST with a body", request("POST", body=b"{}")),
        ("two HTTP2-Settings", request(settings_lines=[settings.encode(), settings.encode()])),
        ("no HTTP2-Settings", request(settings_lines=[])),
        ("padded base64", request(settings_lines=[b"AAMAAABk=="])),
        ("standard base64 alphabet", request(settings_lines=[b"AAMAAABk+AAA"])),
        ("a partial setting", request(settings_lines=[b"AAMAAA"])),
        ("ENABLE_PUSH 2", request(settings_lines=[b"AAIAAAAC"])),
        ("Connection without HTTP2-Settings", request(connection=b"Upgrade")),
        ("HTTP/1.0", request(version=b"HTTP/1.0")),
    ]
    for name, raw in cases:
        response = http1_exchange(args.port, raw)
        check(not response.startswith(b"HTTP/1.1 101"), f"{name}: upgraded anyway")
        check(response.startswith(b"HTTP/1.1 ") or response.startswith(b"HTTP/1.0 "), f"{name}: {response[:80]!r}")
        # A POST to /healthz is 405, the GETs 200: served as plain HTTP/1.1 either way.
        check(b" 200 " in response.split(b"\r\n")[0] or b" 405 " in response.split(b"\r\n")[0], f"{name}: {response[:80]!r}")

    for method in ("GET", "HEAD"):
        sock = socket.create_connection(("127.0.0.1", args.port), timeout=5)
        sock.sendall(request(method))
        received = b""
        while b"\r\n\r\n" not in received:
            piece = sock.recv(65536)
            check(piece, f"{method}: closed before 101")
            received += piece
        head, _, rest = received.partition(b"\r\n\r\n")
        check(head.startswith(b"HTTP/1.1 101 Switching Protocols") and b"Upgrade: h2c" in head, f"{method}: {head!r}")
        conn = Connection(args.port, sock=sock, buffered=rest, next_stream=3, ack_settings=False)
        status = conn.wait_response(1)
        check(status == 200, f"{method} upgrade: stream 1 status {status}")
        if method == "GET":
            check(conn.data.get(1) == b'{"status":"ok"}', f"body {conn.data.get(1)!r}")
        else:
            check(not conn.data.get(1), "HEAD got a body")
        check(conn.get("/healthz") == 200, "stream 3 after the upgrade")
        conn.close()
    print(f"upgrade: {len(cases)} non-qualifying requests served as HTTP/1.1; GET and HEAD upgraded, answered on stream 1")
    return 0


# MARK: - gzip

def gzip_checks(args):
    import httpx
    import requests

    base = f"http://127.0.0.1:{args.port}"
    with httpx.Client(http1=False, http2=True, base_url=base, timeout=10) as h2, requests.Session() as h1:
        # Compressible, large: gzip with Vary, on both protocols.
        for name, response in (("h2", h2.get("/json?size=50000", headers={"accept-encoding": "gzip"})),
                               ("h1", h1.get(base + "/json?size=50000", headers={"accept-encoding": "gzip"}))):
            check(response.status_code == 200, f"{name}: {response.status_code}")
            check(response.headers.get("content-encoding") == "gzip", f"{name}: {dict(response.headers)}")
            check("accept-encoding" in response.headers.get("vary", "").lower(), f"{name}: no Vary")
            document = json.loads(response.content)
            check(len(response.content) >= 50000 and document["items"][0] == "item 0", f"{name}: body")
        raw = h2.get("/json?size=50000", headers={"accept-encoding": "gzip"})
        check(int(raw.headers["content-length"]) < 50000 / 3, f"compressed size {raw.headers['content-length']}")

        # Not accepted, q=0, small, HEAD, incompressible: sent as is.
        for name, path, headers, method in (
            ("no accept-encoding", "/json?size=50000", {"accept-encoding": "identity"}, "GET"),
            ("gzip;q=0", "/json?size=50000", {"accept-encoding": "gzip;q=0, identity"}, "GET"),
            ("small body", "/json?size=100", {"accept-encoding": "gzip"}, "GET"),
            ("HEAD", "/json?size=50000", {"accept-encoding": "gzip"}, "HEAD"),
            ("octet-stream", "/big?size=50000", {"accept-encoding": "gzip"}, "GET"),
        ):
            response = h2.request(method, path, headers=headers)
            check(response.status_code == 200 and "content-encoding" not in response.headers, f"{name}: {dict(response.headers)}")
        # identity;q=0 is respected even below the size threshold.
        response = h2.get("/json?size=100", headers={"accept-encoding": "gzip, identity;q=0"})
        check(response.headers.get("content-encoding") == "gzip", f"identity;q=0: {dict(response.headers)}")

        # A streaming body is compressed as it streams: each DATA frame decodes to whole lines.
        with h2.stream("GET", "/events?count=5&ms=100", headers={"accept-encoding": "gzip"}) as response:
            check(response.headers.get("content-encoding") == "gzip", f"events: {dict(response.headers)}")
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            decoded = b""
            pieces = 0
            for chunk in response.iter_raw():
                decoded += inflater.decompress(chunk)
                pieces += 1
                check(decoded.endswith(b"\n") or not decoded, f"a streamed piece did not end on a line: {decoded[-40:]!r}")
            check(decoded == b"".join(b"event %d\n" % i for i in range(5)), f"events: {decoded!r}")
            check(pieces >= 5, f"the stream arrived in {pieces} pieces")

        # Request bodies: gzip and deflate decoded, bombs 413, corrupt 400, unknown 415.
        payload = b'{"hello": "world"}' * 1000
        bomb = gzip.compress(b"\0" * (10 * 1024 * 1024), 9)
        corrupt = bytearray(gzip.compress(payload))
        corrupt[len(corrupt) // 2] ^= 0xFF
        cases = (
            ("gzip", gzip.compress(payload), "gzip", 200, payload),
            ("deflate", zlib.compress(payload), "deflate", 200, payload),
            ("10 MB gzip bomb", bomb, "gzip", 413, None),
            ("corrupt gzip", bytes(corrupt), "gzip", 400, None),
            ("truncated gzip", gzip.compress(payload)[:-20], "gzip", 400, None),
            ("br", payload, "br", 415, None),
            ("stacked", gzip.compress(gzip.compress(payload)), "gzip, gzip", 415, None),
        )
        for name, body, coding, expected, echoed in cases:
            for protocol, send in (("h2", lambda b, c: h2.post("/echo", content=b, headers={"content-encoding": c})),
                                   ("h1", lambda b, c: h1.post(base + "/echo", data=b, headers={"content-encoding": c}))):
                started = time.monotonic()
                response = send(body, coding)
                elapsed = time.monotonic() - started
                check(response.status_code == expected, f"{name} over {protocol}: {response.status_code} {response.text[:200]}")
                if echoed is not None:
                    check(response.content == echoed, f"{name} over {protocol}: echoed {len(response.content)} bytes")
                if expected == 415:
                    check("gzip" in response.headers.get("accept-encoding", ""), f"{name}: 415 without Accept-Encoding")
                check(elapsed < 2, f"{name} over {protocol} took {elapsed:.2f} s")
    print(f"gzip: responses negotiated on h2 and h1; streaming gzip decodes per piece; request bodies: {', '.join(c[0] for c in cases)} answered as expected on both")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    checks = {
        "max-streams": max_streams, "header-budget": header_budget, "rapid-reset": rapid_reset,
        "continuation": continuation, "server-resets": server_resets, "settings-flood": settings_flood,
        "zero-window": zero_window, "backpressure": backpressure, "backpressure-connection": backpressure_connection,
        "non-reader": non_reader, "idle": idle, "shutdown": shutdown,
        "upgrade": upgrade, "gzip": gzip_checks,
    }
    parser.add_argument("check", choices=sorted(checks))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--deadline", type=float, default=2.0, help="the server's configured timeout for zero-window and idle")
    parser.add_argument("--count", type=int, default=150, help="streams for server-resets")
    args = parser.parse_args()
    try:
        sys.exit(checks[args.check](args))
    except Failure as failure:
        print(f"{args.check}: FAILED: {failure}")
        sys.exit(1)


if __name__ == "__main__":
    main()
