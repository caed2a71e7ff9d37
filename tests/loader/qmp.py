#!/usr/bin/env python3
"""qmp.py SOCKET COMMAND... - QEMU's machine protocol, for the loader's tests.

Connects to a QMP unix socket (retrying while QEMU starts), negotiates
capabilities, runs each COMMAND (a QMP command name, or NAME=JSON for
arguments) and prints each reply's "return" as JSON on a line.  Exits 1
when QEMU answers with an error or the socket cannot be reached."""
import json
import socket
import sys
import time


def main():
    path, commands = sys.argv[1], sys.argv[2:]
    deadline = time.time() + 30
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            break
        except OSError as e:
            if time.time() > deadline:
                print("qmp.py: %s: %s" % (path, e), file=sys.stderr)
                return 1
            time.sleep(0.05)
    f = s.makefile("rw")

    def reply():
        while True:
            line = f.readline()
            if not line:
                raise EOFError("QEMU closed the connection")
            msg = json.loads(line)
            if "event" in msg:
                continue
            return msg

    reply()  # greeting
    for name in ["qmp_capabilities"] + commands:
        args = None
        if "=" in name:
            name, arg = name.split("=", 1)
            args = json.loads(arg)
        cmd = {"execute": name}
        if args is not None:
            cmd["arguments"] = args
        f.write(json.dumps(cmd) + "\n")
        f.flush()
        try:
            msg = reply()
        except EOFError:
            if name == "quit":
                return 0
            raise
        if "error" in msg:
            print("qmp.py: %s: %s" % (name, msg["error"]), file=sys.stderr)
            return 1
        if name != "qmp_capabilities":
            print(json.dumps(msg.get("return")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
