#!/usr/bin/env python3
# Opens N keep-alive connections to a gateway from source addresses 127.0.NET.x, one GET each
# (answered before the next connection opens), then holds them idle for HOLD seconds.
# Usage: idle_connections.py N PORT HOLD NET   (loopback only; bounded to 120 s of opening)
import socket, sys, time
N = int(sys.argv[1]); port = int(sys.argv[2]); net = int(sys.argv[4])
req = b"GET /api/x HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 8.8.8.8\r\n\r\n"
socks = []; ok = 0; deadline = time.time() + 120
for i in range(N):
    if time.time() > deadline: break
    s = socket.socket()
    s.bind(("127.0.%d.%d" % (net, 2 + i // 5000), 0))
    s.settimeout(10)
    s.connect(("127.0.0.1", port))
    s.sendall(req)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        if not chunk: break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    cl = [int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")]
    while cl and len(body) < cl[0]:
        body += s.recv(65536)
    if head.startswith(b"HTTP/1.1 200"): ok += 1
    socks.append(s)
print("connections", len(socks), "answered 200:", ok, flush=True)
time.sleep(float(sys.argv[3]))
for s in socks: s.close()
