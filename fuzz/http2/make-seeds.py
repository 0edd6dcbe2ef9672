#!/usr/bin/env python3
"""Writes the seed corpus for fuzz/http2 (fuzz/seeds-http2/): valid and slightly invalid
h2c conversations in both input modes of FuzzHTTP2.swift. Needs hyperframe and hpack (the
test virtualenv has them): `.venv-test/bin/python fuzz/http2/make-seeds.py`."""

import os
import struct

import hpack
from hyperframe.frame import (ContinuationFrame, DataFrame, GoAwayFrame, HeadersFrame, PingFrame,
                              PriorityFrame, RstStreamFrame, SettingsFrame, WindowUpdateFrame)

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "seeds-http2")
os.makedirs(root, exist_ok=True)


def request(encoder, stream_id, path="/healthz", method="GET", end_stream=True, extra=()):
    headers = [(":method", method), (":scheme", "http"), (":path", path), (":authority", "localhost")] + list(extra)
    return HeadersFrame(stream_id, data=encoder.encode(headers), flags=["END_HEADERS"] + (["END_STREAM"] if end_stream else []))


def conversations():
    e = hpack.Encoder
    enc = e()
    yield "get", [SettingsFrame(0), request(enc, 1)]
    enc = e()
    yield "three-gets", [SettingsFrame(0, settings={4: 1 << 20}), request(enc, 1), request(enc, 3, "/json"), request(enc, 5, "/a?b=c")]
    enc = e()
    yield "post-body", [SettingsFrame(0), request(enc, 1, "/echo", "POST", end_stream=False, extra=[("content-length", "11")]),
                        DataFrame(1, data=b"hello world", flags=["END_STREAM"])]
    enc = e()
    yield "post-gzip", [SettingsFrame(0), request(enc, 1, "/echo", "POST", end_stream=False, extra=[("content-encoding", "gzip")]),
                        DataFrame(1, data=b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcbH\xcd\xc9\xc9\x07\x00\x86\xa6\x106\x05\x00\x00\x00", flags=["END_STREAM"])]
    enc = e()
    block = enc.encode([(":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "h"), ("x-a", "a" * 100)])
    yield "continuation", [SettingsFrame(0), HeadersFrame(1, data=block[:10], flags=["END_STREAM"]),
                           ContinuationFrame(1, data=block[10:50]), ContinuationFrame(1, data=block[50:], flags=["END_HEADERS"])]
    enc = e()
    yield "rst", [SettingsFrame(0), request(enc, 1, end_stream=False), RstStreamFrame(1, error_code=8), request(enc, 3)]
    yield "ping-window-priority", [SettingsFrame(0), PingFrame(0, opaque_data=b"12345678"), WindowUpdateFrame(0, window_increment=1000),
                                   PriorityFrame(3, depends_on=1, stream_weight=10), GoAwayFrame(0, last_stream_id=0, error_code=0)]
    enc = e()
    yield "trailers", [SettingsFrame(0), request(enc, 1, "/echo", "POST", end_stream=False), DataFrame(1, data=b"x" * 100),
                       HeadersFrame(1, data=enc.encode([("x-trailer", "t")]), flags=["END_HEADERS", "END_STREAM"])]
    enc = e()
    big = [("x-big-%d" % i, "v" * 200) for i in range(30)]
    yield "big-headers", [SettingsFrame(0), request(enc, 1, extra=big)]
    enc = e()
    yield "bad-upper", [SettingsFrame(0), request(enc, 1, extra=[("X-Upper", "1")])]
    enc = e()
    yield "zero-window", [SettingsFrame(0, settings={4: 0}), request(enc, 1, "/big"), WindowUpdateFrame(1, window_increment=100)]


def record(frame):
    """A record for record mode: [type][flags][stream selector][length][payload]."""
    raw = frame.serialize()
    length = min(255, len(raw) - 9)
    stream = struct.unpack("!I", raw[5:9])[0] & 0x7FFFFFFF
    selector = 0 if stream == 0 else (stream + 1) // 2 if stream % 2 else 127 + stream // 2
    return bytes([raw[3], raw[4], min(selector, 255), length]) + raw[9:9 + length]


count = 0
for name, frames in conversations():
    raw = b"".join(f.serialize() for f in frames)
    for config, pieces in ((0x00, 0), (0x80, 7), (0x08, 0), (0x10, 13), (0x30, 0), (0x40, 0)):
        with open(os.path.join(root, f"raw-{name}-{config:02x}-{pieces}"), "wb") as out:
            out.write(bytes([config, pieces]) + raw)
            count += 1
    with open(os.path.join(root, f"record-{name}"), "wb") as out:
        out.write(bytes([0x01, 0]) + b"".join(record(f) for f in frames))
        count += 1
settings = b"AAMAAABkAAQCAAAAAAIAAAAA"
enc = hpack.Encoder()
with open(os.path.join(root, "upgrade-get"), "wb") as out:
    out.write(bytes([0x04, 0, len(settings)]) + settings + SettingsFrame(0).serialize() + request(enc, 3).serialize())
    count += 1
with open(os.path.join(root, "no-preface"), "wb") as out:
    out.write(bytes([0x02, 0]) + b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    count += 1
print(f"wrote {count} seeds to {os.path.normpath(root)}")
