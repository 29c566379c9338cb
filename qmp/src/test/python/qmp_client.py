#!/usr/bin/env python3
"""A plain QMP client (standard library only) that drives Tern as scripts drive QEMU 7.2.

Usage: python3 qmp_client.py SOCKET_PATH
Exits 0 when every check passes, 1 with a message otherwise.
"""
import json
import socket
import sys


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(path)
        self.file = self.sock.makefile("rb")
        self.events = []
        self.next_id = 0

    def line(self):
        raw = self.file.readline()
        if not raw:
            raise AssertionError("server closed the connection")
        if not raw.endswith(b"\r\n"):
            raise AssertionError("line does not end in CRLF: %r" % raw)
        return json.loads(raw)

    def cmd(self, name, **arguments):
        """Sends a command with a fresh id; returns its reply, keeping events aside."""
        self.next_id += 1
        request = {"execute": name, "id": "py-%d" % self.next_id}
        if arguments:
            request["arguments"] = arguments
        self.sock.sendall(json.dumps(request).encode() + b"\n")
        while True:
            msg = self.line()
            if "event" in msg:
                self.events.append(msg)
                continue
            check(msg.get("id") == request["id"], "reply carries the request's id", msg)
            return msg


def check(condition, what, got=None):
    if not condition:
        raise AssertionError(what + ("" if got is None else ": got %r" % (got,)))


def ok(reply):
    check("return" in reply, "command succeeds", reply)
    return reply["return"]


def error(reply, desc):
    check(reply.get("error") == {"class": "GenericError", "desc": desc}, "GenericError %r" % desc, reply)


def main(path):
    qmp = Qmp(path)
    greeting = qmp.line()
    version = greeting["QMP"]["version"]
    check(version["qemu"] == {"major": 7, "minor": 2, "micro": 0}, "greeting says QEMU 7.2.0", version)
    check(version["package"].startswith("tern-"), "package is tern-VERSION", version)
    check("oob" in greeting["QMP"]["capabilities"], "greeting offers oob", greeting)

    check(ok(qmp.cmd("qmp_capabilities")) == {}, "negotiation returns {}")
    status = ok(qmp.cmd("query-status"))
    check(isinstance(status["running"], bool) and status["singlestep"] is False, "query-status shape", status)

    ok(qmp.cmd("migrate-set-capabilities", capabilities=[
        {"capability": "xbzrle", "state": True}, {"capability": "events", "state": True}]))
    caps = {c["capability"]: c["state"] for c in ok(qmp.cmd("query-migrate-capabilities"))}
    check(caps.get("xbzrle") is True and caps.get("events") is True, "xbzrle and events enabled", caps)

    ok(qmp.cmd("migrate-set-parameters", **{"downtime-limit": 500, "max-bandwidth": 1 << 30,
                                             "multifd-channels": 4}))
    params = ok(qmp.cmd("query-migrate-parameters"))
    for name, value in (("downtime-limit", 500), ("max-bandwidth", 1 << 30), ("multifd-channels", 4)):
        check(params.get(name) == value, "parameter %s is %d" % (name, value), params)

    error(qmp.cmd("migrate-set-capabilities", capabilities=[
        {"capability": "multifd", "state": True}, {"capability": "compress", "state": True}]),
        "Multifd is not compatible with compress")
    caps = {c["capability"]: c["state"] for c in ok(qmp.cmd("query-migrate-capabilities"))}
    check(not caps.get("multifd") and not caps.get("compress"), "a rejected change changes nothing", caps)

    error(qmp.cmd("migrate-set-parameters", **{"compress-level": 10}),
          "Parameter 'compress_level' expects a value between 0 and 9")
    error(qmp.cmd("migrate-set-parameters", **{"compress-level": 256}),
          "Parameter 'compress-level' expects uint8_t")
    error(qmp.cmd("migrate-set-capabilities", capabilities=[{"capability": "xbzrle", "state": "on"}]),
          "Invalid parameter type for 'capabilities[0].state', expected: boolean")
    check(ok(qmp.cmd("query-migrate-parameters")).get("compress-level") != 10, "rejected value not stored")

    info = ok(qmp.cmd("query-migrate"))
    check(isinstance(info, dict), "query-migrate returns an object", info)
    print("qmp_client: all checks passed (%d events seen)" % len(qmp.events))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: qmp_client.py SOCKET_PATH", file=sys.stderr)
        sys.exit(2)
    try:
        main(sys.argv[1])
    except (AssertionError, OSError, ValueError, KeyError) as e:
        print("qmp_client: FAILED: %s" % e, file=sys.stderr)
        sys.exit(1)
