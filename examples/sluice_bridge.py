#!/usr/bin/env python3
"""Sluice's event bus from Python, over the TCP event-bus bridge. Standard library only.

The bridge (vertx-tcp-eventbus-bridge) speaks frames: a 4-byte big-endian length, then that many
bytes of UTF-8 JSON, both ways. Turn it on with admin.bridgePort (or SLUICE_ADMIN_BRIDGE_PORT);
it listens on admin.host, loopback by default.

  python3 sluice_bridge.py --port 9091 tail                 # circuit events and per-second stats
  SLUICE_ADMIN_TOKEN=... python3 sluice_bridge.py --port 9091 reset users
  SLUICE_ADMIN_TOKEN=... python3 sluice_bridge.py --port 9091 open users

The token is read from the environment, never from the command line (where `ps` shows it to
everyone on the machine), and travels in the message's headers, never in the body.
"""
import argparse
import json
import os
import socket
import struct
import sys
import time
import uuid

CIRCUIT_EVENTS = "sluice.circuit.events"
STATS = "sluice.stats"
COMMAND = "sluice.admin.command"


class Bridge:
    """One TCP connection to the bridge: write frames, read frames."""

    def __init__(self, host, port, timeout):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = b""

    def write(self, frame):
        data = json.dumps(frame).encode("utf-8")
        self.sock.sendall(struct.pack(">I", len(data)) + data)

    def read(self):
        """The next frame; raises socket.timeout when none comes in time, EOFError when the bridge closed."""
        header = self._exactly(4)
        (length,) = struct.unpack(">I", header)
        return json.loads(self._exactly(length).decode("utf-8"))

    def _exactly(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("the bridge closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def register(self, *addresses):
        """Registers, then waits for the answer to a ping: the bridge handles one connection's
        frames in order, so after the pong every registration is in place (or refused)."""
        for address in addresses:
            self.write({"type": "register", "address": address})
        self.write({"type": "ping"})
        while True:
            frame = self.read()
            if frame.get("type") == "pong":
                return
            if frame.get("type") == "err":
                raise RuntimeError("bridge refused: %s" % frame.get("message"))

    def request(self, address, body, headers):
        reply_address = str(uuid.uuid4())
        self.write({"type": "send", "address": address, "body": body, "headers": headers,
                    "replyAddress": reply_address})
        while True:
            frame = self.read()
            if frame.get("address") == reply_address:
                return frame

    def close(self):
        self.sock.close()


def describe(frame):
    body = frame.get("body") or {}
    if frame.get("address") == CIRCUIT_EVENTS:
        return "circuit  %-12s %-9s scope=%s v%s node=%s  %s" % (
            body.get("route"), body.get("state"), body.get("scope"), body.get("version"),
            str(body.get("node"))[:8], body.get("reason") or "")
    if frame.get("address") == STATS:
        parts = []
        for r in body.get("routes", []):
            parts.append("%s %d req %d 429 %d 5xx p99=%s" % (
                r["route"], r["requests"], r["rateLimited"], r["serverErrors"],
                "-" if r.get("p99Ms") is None else "%.1fms" % r["p99Ms"]))
        return "stats    node=%s  %s" % (str(body.get("node"))[:8], "; ".join(parts) or "no routes")
    return json.dumps(frame)


def tail(bridge, as_json, max_seconds):
    bridge.register(CIRCUIT_EVENTS, STATS)
    # Says the registrations are in place: whatever happens from here on is printed.
    print(json.dumps({"ready": True}) if as_json else "listening on %s and %s" % (CIRCUIT_EVENTS, STATS), flush=True)
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    while deadline is None or time.monotonic() < deadline:
        try:
            frame = bridge.read()
        except socket.timeout:
            continue
        if frame.get("type") == "err":
            print("error: %s" % frame.get("message"), file=sys.stderr, flush=True)
            continue
        if frame.get("type") != "message":
            continue
        print(json.dumps({"address": frame.get("address"), "body": frame.get("body")}) if as_json
              else describe(frame), flush=True)
    return 0


def command(bridge, action, route, as_json):
    token = os.environ.get("SLUICE_ADMIN_TOKEN")
    if not token:
        print("set SLUICE_ADMIN_TOKEN to the admin token", file=sys.stderr)
        return 2
    answer = bridge.request(COMMAND, {"action": action, "route": route},
                            {"Authorization": "Bearer " + token})
    if answer.get("type") == "err":
        try:
            error = json.loads(answer.get("message"))
        except (TypeError, ValueError):
            error = {"code": "REFUSED", "message": answer.get("message")}
        print(json.dumps(error) if as_json else "%s: %s" % (error.get("code"), error.get("message")),
              file=sys.stderr, flush=True)
        return 1
    body = answer.get("body") or {}
    print(json.dumps(body) if as_json else "%s is %s (version %s)" % (body.get("route"), body.get("state"),
                                                                     body.get("version")), flush=True)
    return 0


def main(argv):
    parser = argparse.ArgumentParser(description="Sluice's event bus over the TCP bridge")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True, help="admin.bridgePort")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    sub = parser.add_subparsers(dest="what", required=True)
    t = sub.add_parser("tail", help="print circuit events and stats as they come")
    t.add_argument("--max-seconds", type=float, default=None, help="stop after this long")
    for action in ("reset", "open"):
        c = sub.add_parser(action, help="%s a route's circuit on every node (needs SLUICE_ADMIN_TOKEN)" % action)
        c.add_argument("route")
    args = parser.parse_args(argv)

    try:
        bridge = Bridge(args.host, args.port, timeout=1.0 if args.what == "tail" else 10.0)
    except OSError as e:
        print("cannot reach the bridge at %s:%d: %s" % (args.host, args.port, e), file=sys.stderr)
        return 3
    try:
        if args.what == "tail":
            return tail(bridge, args.json, args.max_seconds)
        return command(bridge, args.what, args.route, args.json)
    except (socket.timeout, EOFError) as e:
        print("no answer from the bridge: %s" % e, file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    finally:
        bridge.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
