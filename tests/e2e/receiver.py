#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# NAME
#        receiver.py - SMTP receivers for the end-to-end test
# SYNOPSIS
#        receiver.py CONFIG.json EVENTS.jsonl READY-FILE
# DESCRIPTION
#        Serves one SMTP listener per entry of CONFIG.json ("listeners": a
#        list of {name, addr, port, mode, cert, key, min, max}) and appends one
#        JSON object per line to EVENTS.jsonl for every accepted message,
#        rejected recipient and finished session, with the TLS version and
#        cipher negotiated on that session. Writes READY-FILE once every
#        listener is bound. Modes:
#          tls     offer STARTTLS with cert/key, TLS versions bounded by min/max
#          plain   no STARTTLS
#          broken  offer STARTTLS, then answer the ClientHello with a fatal
#                  handshake_failure alert
#          reject  like tls, but every RCPT TO gets 550 5.1.1
#        Only the Python standard library is used. Stops on SIGTERM.
#
import json
import signal
import socket
import socketserver
import ssl
import sys
import threading

MAX_LINE = 4096
MAX_DATA = 4 * 1024 * 1024
TIMEOUT = 60.0
TLS_VERSIONS = {
        "TLSv1.2": ssl.TLSVersion.TLSv1_2,
        "TLSv1.3": ssl.TLSVersion.TLSv1_3,
}
# TLS record: alert, TLS 1.2, length 2, fatal(2), handshake_failure(40)
HANDSHAKE_FAILURE_ALERT = b"\x15\x03\x03\x00\x02\x02\x28"


class EventLog:
        def __init__(self, path):
                self.lock = threading.Lock()
                self.f = open(path, "a", encoding="utf-8")

        def write(self, ev):
                line = json.dumps(ev, sort_keys=True)
                with self.lock:
                        self.f.write(line + "\n")
                        self.f.flush()


class Session:
        counter = 0
        counter_lock = threading.Lock()

        def __init__(self, listener, sock, events):
                self.listener = listener
                self.sock = sock
                self.events = events
                self.rfile = sock.makefile("rb")
                self.tls_version = None
                self.cipher = None
                self.starttls = None            # None, "ok", "failed", "broken"
                self.messages = 0
                self.rejects = 0
                self.mail_from = None
                self.rcpts = []
                with Session.counter_lock:
                        Session.counter += 1
                        self.id = "%s-%d" % (listener["name"], Session.counter)

        def send(self, text):
                self.sock.sendall(text.encode("ascii") + b"\r\n")

        def readline(self):
                line = self.rfile.readline(MAX_LINE + 1)
                if not line:
                        return None
                if len(line) > MAX_LINE:
                        raise ValueError("line too long")
                return line.rstrip(b"\r\n").decode("utf-8", "replace")

        def base(self, ev):
                ev.update({"listener": self.listener["name"],
                           "addr": self.listener["addr"],
                           "session": self.id,
                           "tls": self.tls_version,
                           "cipher": self.cipher})
                return ev

        def ehlo(self, arg):
                lines = [self.listener["name"] + ".e2e.test greets " + arg,
                         "SIZE 10240000", "8BITMIME"]
                if self.listener["mode"] != "plain" and self.tls_version is None \
                   and self.starttls is None:
                        lines.append("STARTTLS")
                for i, l in enumerate(lines):
                        sep = " " if i == len(lines) - 1 else "-"
                        self.send("250" + sep + l)

        def do_starttls(self):
                mode = self.listener["mode"]
                if mode == "plain" or self.tls_version is not None:
                        self.send("502 5.5.1 STARTTLS not available")
                        return True
                self.send("220 2.0.0 Ready to start TLS")
                if mode == "broken":
                        self.starttls = "broken"
                        self.sock.settimeout(5.0)
                        try:
                                self.sock.recv(16384)   # the ClientHello
                                self.sock.sendall(HANDSHAKE_FAILURE_ALERT)
                                self.sock.shutdown(socket.SHUT_WR)
                                while self.sock.recv(16384):
                                        pass
                        except OSError:
                                pass
                        return False
                ctx = self.listener["ssl_context"]
                try:
                        tls_sock = ctx.wrap_socket(self.sock, server_side=True)
                except (ssl.SSLError, OSError) as e:
                        self.starttls = "failed"
                        self.error = str(e)
                        return False
                self.sock = tls_sock
                self.rfile = tls_sock.makefile("rb")
                self.tls_version = tls_sock.version()
                self.cipher = tls_sock.cipher()[0]
                self.starttls = "ok"
                self.mail_from = None
                self.rcpts = []
                return True

        def do_data(self):
                size = 0
                while True:
                        line = self.rfile.readline(MAX_LINE + 1)
                        if not line:
                                return False
                        size += len(line)
                        if size > MAX_DATA:
                                raise ValueError("message too large")
                        if line in (b".\r\n", b".\n"):
                                break
                self.messages += 1
                self.events.write(self.base({"ev": "msg", "from": self.mail_from,
                                             "rcpts": self.rcpts, "n": self.messages}))
                self.send("250 2.0.0 Ok: queued as %s.%d" % (self.id, self.messages))
                self.mail_from = None
                self.rcpts = []
                return True

        def run(self):
                self.send("220 %s.e2e.test ESMTP e2e receiver" % self.listener["name"])
                while True:
                        line = self.readline()
                        if line is None:
                                return
                        verb, _, arg = line.partition(" ")
                        verb = verb.upper()
                        if verb in ("EHLO", "HELO"):
                                if verb == "EHLO":
                                        self.ehlo(arg)
                                else:
                                        self.send("250 " + self.listener["name"])
                        elif verb == "STARTTLS":
                                if not self.do_starttls():
                                        return
                        elif verb == "MAIL":
                                self.mail_from = arg
                                self.rcpts = []
                                self.send("250 2.1.0 Ok")
                        elif verb == "RCPT":
                                rcpt = arg.split(":", 1)[-1].strip()
                                rcpt = rcpt.split(" ", 1)[0].strip("<>").lower()
                                if self.listener["mode"] == "reject":
                                        self.rejects += 1
                                        self.events.write(self.base({"ev": "reject", "rcpt": rcpt}))
                                        self.send("550 5.1.1 <%s>: Recipient address rejected: "
                                                  "no such user" % rcpt)
                                else:
                                        self.rcpts.append(rcpt)
                                        self.send("250 2.1.5 Ok")
                        elif verb == "DATA":
                                if not self.rcpts:
                                        self.send("554 5.5.1 Error: no valid recipients")
                                        continue
                                self.send("354 End data with <CR><LF>.<CR><LF>")
                                if not self.do_data():
                                        return
                        elif verb == "RSET":
                                self.mail_from = None
                                self.rcpts = []
                                self.send("250 2.0.0 Ok")
                        elif verb == "NOOP":
                                self.send("250 2.0.0 Ok")
                        elif verb == "QUIT":
                                self.send("221 2.0.0 Bye")
                                return
                        else:
                                self.send("502 5.5.2 Error: command not recognized")

        def finish(self):
                ev = {"ev": "session", "starttls": self.starttls,
                      "msgs": self.messages, "rejects": self.rejects}
                if getattr(self, "error", None):
                        ev["error"] = self.error
                self.events.write(self.base(ev))


def make_handler(listener, events):
        class Handler(socketserver.BaseRequestHandler):
                def handle(self):
                        self.request.settimeout(TIMEOUT)
                        s = Session(listener, self.request, events)
                        try:
                                s.run()
                        except (OSError, ValueError, ssl.SSLError):
                                pass
                        finally:
                                s.finish()
                                try:
                                        s.sock.close()
                                except OSError:
                                        pass
        return Handler


class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True


def ssl_context(l):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(l["cert"], l["key"])
        if l.get("min"):
                ctx.minimum_version = TLS_VERSIONS[l["min"]]
        if l.get("max"):
                ctx.maximum_version = TLS_VERSIONS[l["max"]]
        return ctx


def main():
        if len(sys.argv) != 4:
                print("usage: receiver.py CONFIG.json EVENTS.jsonl READY-FILE", file=sys.stderr)
                return 2
        with open(sys.argv[1], encoding="utf-8") as f:
                config = json.load(f)
        events = EventLog(sys.argv[2])
        servers = []
        for l in config["listeners"]:
                if l["mode"] in ("tls", "reject"):
                        l["ssl_context"] = ssl_context(l)
                srv = Server((l["addr"], l["port"]), make_handler(l, events))
                servers.append(srv)
        for srv in servers:
                threading.Thread(target=srv.serve_forever, daemon=True).start()

        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *a: stop.set())
        signal.signal(signal.SIGINT, lambda *a: stop.set())
        with open(sys.argv[3], "w", encoding="utf-8") as f:
                f.write("ready\n")
        while not stop.wait(3600):
                pass
        # shutdown() waits for its serve_forever() to notice (up to 0.5 s):
        # all at once, not one listener after another.
        stoppers = [threading.Thread(target=srv.shutdown) for srv in servers]
        for t in stoppers:
                t.start()
        for t in stoppers:
                t.join()
        for srv in servers:
                srv.server_close()
        return 0


if __name__ == "__main__":
        sys.exit(main())
