#!/usr/bin/env python3
"""A Server-Sent Events client on raw asyncio sockets, for the /v1/events tests and bench.

  sse_client.py PORT collect COUNT [LAST_EVENT_ID] [QUERY] [TIMEOUT]
      one subscriber; prints the ids of the first COUNT events as JSON, then disconnects
      (gives up after TIMEOUT seconds, default 30).
  sse_client.py PORT fanout SUBSCRIBERS COUNT [TIMEOUT]
      SUBSCRIBERS concurrent subscribers; each reads COUNT events. Prints JSON with, per
      subscriber, how many events it got and whether the ids were contiguous, plus delivery
      delays (receive time minus the event's created_at, when the data has one) percentiles.
"""
import asyncio
import json
import sys
import time
from datetime import datetime


async def subscribe(port, count, last_event_id=None, query="", timeout=60.0, on_connected=None):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    headers = f"GET /v1/events{('?' + query) if query else ''} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
    if last_event_id is not None:
        headers += f"Last-Event-ID: {last_event_id}\r\n"
    writer.write((headers + "\r\n").encode())
    await writer.drain()
    status = await asyncio.wait_for(reader.readline(), timeout)
    assert b" 200 " in status, status
    chunked = False
    while True:
        line = await asyncio.wait_for(reader.readline(), timeout)
        if line in (b"\r\n", b""):
            break
        if line.lower().startswith(b"transfer-encoding:") and b"chunked" in line.lower():
            chunked = True
    if on_connected:
        on_connected()
    buffer = b""
    events = []
    deadline = time.monotonic() + timeout
    while len(events) < count:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        if chunked:
            size_line = await asyncio.wait_for(reader.readline(), remaining)
            size = int(size_line.strip() or b"0", 16)
            if size == 0:
                break
            data = await asyncio.wait_for(reader.readexactly(size + 2), remaining)
            buffer += data[:-2]
        else:
            data = await asyncio.wait_for(reader.read(65536), remaining)
            if not data:
                break
            buffer += data
        received = time.time()
        while b"\n\n" in buffer and len(events) < count:
            block, buffer = buffer.split(b"\n\n", 1)
            fields = {}
            for line in block.decode().split("\n"):
                if line.startswith(":") or ":" not in line:
                    continue
                name, value = line.split(":", 1)
                fields[name] = value[1:] if value.startswith(" ") else value
            if "id" in fields and "data" in fields:
                events.append((int(fields["id"]), fields.get("event"), fields["data"], received))
    writer.close()
    return events


def created_time(data):
    try:
        document = json.loads(data)
        stamp = document.get("bench_sent_at") or document.get("finished_at") or document.get("created_at")
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except Exception:
        return None


async def fanout(port, subscribers, count, timeout):
    connected = 0

    def mark():
        nonlocal connected
        connected += 1
        if connected == subscribers:
            print("connected", flush=True)

    results = await asyncio.gather(*[subscribe(port, count, timeout=timeout, on_connected=mark) for _ in range(subscribers)])
    delays = []
    report = []
    for events in results:
        ids = [event[0] for event in events]
        report.append({"count": len(ids), "contiguous": ids == list(range(ids[0], ids[0] + len(ids))) if ids else True})
        for _, _, data, received in events:
            created = created_time(data)
            if created is not None:
                delays.append(received - created)
    delays.sort()

    def percentile(p):
        return delays[min(len(delays) - 1, int(len(delays) * p))] if delays else None

    print(json.dumps({"subscribers": report, "p50": percentile(0.5), "p99": percentile(0.99), "max": delays[-1] if delays else None}), flush=True)


def main():
    port = int(sys.argv[1])
    mode = sys.argv[2]
    if mode == "collect":
        count = int(sys.argv[3])
        last = sys.argv[4] if len(sys.argv) > 4 and sys.argv[4] != "-" else None
        query = sys.argv[5] if len(sys.argv) > 5 else ""
        timeout = float(sys.argv[6]) if len(sys.argv) > 6 else 30
        events = asyncio.run(subscribe(port, count, last, query, timeout=timeout))
        print(json.dumps([[event[0], event[1]] for event in events]), flush=True)
    elif mode == "fanout":
        timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 60
        asyncio.run(fanout(port, int(sys.argv[3]), int(sys.argv[4]), timeout))


if __name__ == "__main__":
    main()
