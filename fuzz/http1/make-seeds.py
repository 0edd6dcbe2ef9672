#!/usr/bin/env python3
"""Writes the HTTP/1.1 fuzz seed corpus to fuzz/seeds-http1/ (committed; rerun after adding cases).

Seeds are the attack vectors of Tests/python/http1_probe.py (CASES, imported, so new probe
cases become seeds on the next run), the inputs of the parser's unit-test tables, and valid
requests: single, pipelined, chunked with extensions and trailers, HTTP/1.0, 100-continue.

Each file starts with the run configuration the fuzz target reads (FuzzHTTP1.swift):
byte 0 = limits profile | body-limit choice << 2, byte 1 = number of piece sizes, then the
piece sizes, then the byte stream. Every stream is written once with the default limits in
one piece; a few get extra variants (small limits, a body limit, odd piece sizes).

    python3 fuzz/http1/make-seeds.py
"""

import hashlib
import os
import re
import sys

root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(root, "Tests", "python"))
from http1_probe import CASES  # noqa: E402

OUT = os.path.join(root, "fuzz", "seeds-http1")
MAX_SEED = 40000  # run-http1.sh passes -max_len=40000

H = b"Host: h\r\n"
CHUNKED_HEAD = b"POST /echo HTTP/1.1\r\n" + H + b"Transfer-Encoding: chunked\r\n\r\n"


def config(limits=0, body_limit=0, pieces=()):
    """limits: 0 default, 3 small; body_limit: index into FuzzHTTP1.swift's bodyLimits."""
    return bytes([limits | (body_limit << 2), len(pieces)]) + bytes(pieces)


# HTTP1HeadParserTests.malformed and the head tests around it.
HEAD_TABLE = [
    b"GET /healthz?x=1 HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\nEXTRA",
    b"GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a: 2\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost:\t h \t\r\n\r\n",
    b"\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n",
    b"GET http://example.com/a/b?c HTTP/1.0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\n\r",
    b"GET / HTTP/1.1\nHost: h\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\n\r\n",
    b"GET / HTTP/1.1\rHost: h\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n",
    b"GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
    b"GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n",
    b"GET / http/1.1\r\nHost: h\r\n\r\n",
    b"GET / HTTP/1\r\nHost: h\r\n\r\n",
    b"GET / HTTP/01.01\r\nHost: h\r\n\r\n",
    b"GET / HTTP/ 1.1\r\nHost: h\r\n\r\n",
    b"GET / HTTP/2.0\r\nHost: h\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: h\r\n\r\n",
    b"GET / HTTP/1.9\r\nHost: h\r\n\r\n",
    b"GET /\r\n\r\n",
    b"GET /a b HTTP/1.1\r\nHost: h\r\n\r\n",
    b"GET /a\x00b HTTP/1.1\r\nHost: h\r\n\r\n",
    b"GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n",
    b"GET * HTTP/1.1\r\nHost: h\r\n\r\n",
    b"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
    b"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
    b"GET a/b HTTP/1.1\r\nHost: h\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost : h\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost\t: h\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\nX-Test: value\r\n continued\r\n\r\n",
    b"GET / HTTP/1.1\r\n \r\nHost: h\r\n\r\n",
    b"GET / HTTP/1.1\r\n: x\r\nHost: h\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n",
    b"GET / HTTP/1.1\r\nBad[Name: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nX-Caf\xc3\xa9: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n",
    b"GET / HTTP/1.1\r\nX: a\x01b\r\n\r\n",
    b"GET / HTTP/1.1\r\nX: a\x7fb\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\nX: caf\xc3\xa9\r\n\r\n",
    b"\x01\x02\x03\x04\r\n\r\n",
    b"\r\n\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n",
    b"GET /" + b"a" * 9000,
    b"GET / HTTP/1.1\r\nHost: h\r\n" + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 30) for i in range(40)) + b"\r\n",
]

# HTTP1ChunkedDecoderTests.valid and .invalid (bodies; sent after a chunked head).
CHUNKED_TABLE = [
    b"5\r\nhello\r\n0\r\n\r\n",
    b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
    b"A\r\n0123456789\r\n0\r\n\r\n",
    b"0005\r\nhello\r\n000\r\n\r\n",
    b"5;name=value\r\nhello\r\n0\r\n\r\n",
    b"5;flag\r\nhello\r\n0;last\r\n\r\n",
    b'5;n="a b;c"\r\nhello\r\n0\r\n\r\n',
    b'5;n="a\\"b"\r\nhello\r\n0\r\n\r\n',
    b"5 ; a = 1 ;b=2\r\nhello\r\n0\r\n\r\n",
    b"5;a=1;b=2\r\nhello\r\n0\r\n\r\n",
    b"5\r\nhello\r\n0\r\nX-Checksum: abc\r\nContent-Length: 50\r\n\r\n",
    b"0\r\n\r\n",
    b"5\r\nhello\r\n0\r\n\r\nGET / HTTP/1.1\r\n",
    b"+5\r\nhello\r\n0\r\n\r\n",
    b"-1\r\nhello\r\n0\r\n\r\n",
    b"0x5\r\nhello\r\n0\r\n\r\n",
    b" 5\r\nhello\r\n0\r\n\r\n",
    b"5 \r\nhello\r\n0\r\n\r\n",
    b"1_0\r\n0123456789abcdef\r\n0\r\n\r\n",
    b"5;\r\nhello\r\n0\r\n\r\n",
    b"5;bad[=x\r\nhello\r\n0\r\n\r\n",
    b"5\rhello\r\n0\r\n\r\n",
    b"5\nhello\r\n0\r\n\r\n",
    b"5\r\nhello!!\r\n0\r\n\r\n",
    b"5\r\nhello0\r\n\r\n",
    b"+0\r\n\r\nX",
    b"FFFFFFFFFFFFFFFF0\r\nhello\r\n0\r\n\r\n",
    b"000000000000000000000000005\r\nhello\r\n0\r\n\r\n",
    b"\r\nhello\r\n0\r\n\r\n",
    b'5;a="x\r\nhello\r\n0\r\n\r\n',
    b"0\r\nNoColon\r\n\r\n",
    b"0\r\nX: a\r\n b\r\n\r\n",
    b"0\r\nX: a\n\r\n",
    b"5;" + b"a" * 300 + b"\r\nhello\r\n0\r\n\r\n",
    b"0\r\n" + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 20) for i in range(400)) + b"\r\n",
]

# HTTP1RequestFramingTests.rejected and .accepted (header lines; sent in a POST with a body).
FRAMING_TABLE = [
    [b"Host: h", b"Content-Length: 23", b"Transfer-Encoding: chunked"],
    [b"Host: h", b"Transfer-Encoding: chunked", b"Content-Length: 30"],
    [b"Host: h", b"Content-Length: 5", b"Content-Length: 10"],
    [b"Host: h", b"Content-Length: 5", b"Content-Length: 5"],
    [b"Host: h", b"Content-Length: 5, 10"],
    [b"Host: h", b"Content-Length: 5, 5"],
    [b"Host: h", b"Content-Length: +5"],
    [b"Host: h", b"Content-Length: -1"],
    [b"Host: h", b"Content-Length: -0"],
    [b"Host: h", b"Content-Length: 0x5"],
    [b"Host: h", b"Content-Length: 0o5"],
    [b"Host: h", b"Content-Length: 1_0"],
    [b"Host: h", b"Content-Length: 1 0"],
    [b"Host: h", b"Content-Length: abc"],
    [b"Host: h", b"Content-Length:"],
    [b"Host: h", b"Content-Length: 99999999999999999999"],
    [b"Host: h", b"Content-Length: 9223372036854775807"],
    [b"Host: h", b"Transfer-Encoding: xchunked"],
    [b"Host: h", b"Transfer-Encoding: chunked", b"Transfer-Encoding: identity"],
    [b"Host: h", b"Transfer-Encoding: chunked, gzip"],
    [b"Host: h", b"Transfer-Encoding: gzip, chunked"],
    [b"Host: h", b"Transfer-Encoding: chunked, chunked"],
    [b"Host: h", b"Transfer-Encoding: identity"],
    [b"Host: h", b"Transfer-Encoding: gzip"],
    [b"Host: h", b"Transfer-Encoding:"],
    [b"Host: h", b"Transfer-Encoding: chunked;x=y"],
    [b"Host: h", b"Transfer-Encoding: \x0bchunked"],
    [b"Content-Length: 0"],
    [b"Host: h", b"Host: h"],
    [b"Host:"],
    [b"Host: user@h"],
    [b"Host: h/path"],
    [b"Host: a, b"],
    [b"Host: h", b"Expect: something-else"],
    [b"Host: h"],
    [b"Host: h", b"Content-Length: 5"],
    [b"Host: h", b"Content-Length: 005"],
    [b"Host: h", b"Content-Length: 0"],
    [b"Host: h", b"Transfer-Encoding: chunked"],
    [b"Host: h", b"Transfer-Encoding: CHUNKED"],
    [b"Host: h", b"Transfer-Encoding: chunked "],
    [b"Host: h", b"Transfer_Encoding: chunked", b"Content-Length: 5"],
    [b"Host: 127.0.0.1:8080"],
    [b"Host: [::1]:8080"],
    [b"Host: h", b"Connection: close"],
    [b"Host: h", b"Connection: Upgrade, close"],
    [b"Host: h", b"Content-Length: 5", b"Expect: 100-continue"],
    [b"Host: h", b"Expect: 100-Continue"],
]

# Valid traffic: what a real client sends.
VALID = [
    b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n",
    b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n" * 3,
    b"POST /v1/jobs HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"image\":\"a:b\"}"
    b"GET /v1/jobs/1 HTTP/1.1\r\nHost: h\r\n\r\n",
    b"POST /webhook HTTP/1.1\r\nHost: h\r\nX-Gitlab-Event: Push Hook\r\nX-Gitlab-Token: t\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n4;ext=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nX-Sum: 1\r\n\r\n"
    b"GET /healthz HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
    b"PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabcDELETE /x HTTP/1.1\r\nHost: h\r\n\r\n",
    b"GET / HTTP/1.0\r\n\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
    b"HEAD / HTTP/1.1\r\nHost: h\r\n\r\nOPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
    b"GET http://h:8080/a?b=c HTTP/1.1\r\nHost: h:8080\r\n\r\n",
    b"PATCH /j HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}PATCH /j HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nhel",
    b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789",
]


# Inputs behind past fuzz findings (Tests/HTTPTests/HTTP1SegmentationTests.swift), kept so
# every run re-checks them: each is decoded in one piece and byte by byte.
REGRESSIONS = [
    b"GET / HTTP/1.1\r\nHost: h\r\nX: " + b"v" * (8192 - 3) + b"\r\n\r\n",
    b"GET /" + b"a" * (8192 - 14) + b" HTTP/1.1\r\nHost: h\r\n\r\n",
    b"A" * 40 + b" / HTTP/1.1\r\nHost: h\r\n\r\n",
    b"A" * 40 + b" / HTTP/2.0\r\nHost: h\r\n\r\n",
    b"\x01" * 40 + b"\r\nHost: h\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\nX: " + b"v" * 8200 + b"\n\r\n",
    b"GET / HTTP/1.1\r\nHost: h\r\n" + (b"X: " + b"v" * 7995 + b"\r\n") * 4 + b"Y: " + b"w" * 1000 + b"\n\r\n",
    b"A" * 32 + b"\r\nHost: h\r\n",
    b"A" * 40 + b"\n\r\n",
]


def framing_request(lines):
    return b"POST /echo HTTP/1.1\r\n" + b"".join(line + b"\r\n" for line in lines) + b"\r\nhello"


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.remove(os.path.join(OUT, name))
    seeds = {}

    def add(prefix, label, stream, variants=((0, 0, ()),)):
        for limits, body_limit, pieces in variants:
            data = config(limits, body_limit, pieces) + stream
            if len(data) > MAX_SEED:
                continue
            tag = re.sub(r"[^A-Za-z0-9_.-]+", "-", label)[:48].strip("-")
            digest = hashlib.sha1(data).hexdigest()[:8]
            seeds[f"{prefix}-{tag}-{digest}"] = data

    small = (3, 0, (3, 7))
    for case_id, request, _, _ in CASES:
        add("probe", case_id, request, ((0, 0, ()), small))
    # The probe's 100 KB cases, at a size -max_len allows: still over the default limits.
    add("probe", "MAL-LONG-URL-9K", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n" + H + b"\r\n")
    add("probe", "MAL-LONG-HEADER-VALUE-9K", b"GET / HTTP/1.1\r\n" + H + b"X: " + b"v" * 9000 + b"\r\n\r\n")
    add("probe", "MAL-MANY-HEADERS-120", b"GET / HTTP/1.1\r\n" + H + b"".join(b"X-%d: v\r\n" % i for i in range(120)) + b"\r\n")
    add("probe", "MAL-HEAD-33K", b"GET / HTTP/1.1\r\n" + H + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 400) for i in range(85)) + b"\r\n")
    add("probe", "MAL-LONG-METHOD-9K", b"A" * 9000 + b" / HTTP/1.1\r\n" + H + b"\r\n")
    for index, request in enumerate(HEAD_TABLE):
        add("head", f"{index:02d}", request, ((0, 0, ()), small))
    for index, body in enumerate(CHUNKED_TABLE):
        add("chunked", f"{index:02d}", CHUNKED_HEAD + body, ((0, 0, ()), small, (0, 3, (1,))))
    for index, lines in enumerate(FRAMING_TABLE):
        add("framing", b"_".join(lines).decode("latin-1"), framing_request(lines), ((0, 0, ()), (0, 2, (2, 5, 11))))
    for index, stream in enumerate(VALID):
        add("valid", f"{index:02d}", stream, ((0, 0, ()), (0, 0, (1,)), small, (0, 4, (17, 0, 64)), (0, 6, (200,))))

    for index, stream in enumerate(REGRESSIONS):
        add("regress", f"{index:02d}", stream, ((0, 0, ()), (3, 0, ())))

    for name, data in sorted(seeds.items()):
        with open(os.path.join(OUT, name), "wb") as handle:
            handle.write(data)
    print(f"{len(seeds)} seeds, {sum(map(len, seeds.values()))} bytes in {os.path.relpath(OUT, root)}")


if __name__ == "__main__":
    main()
