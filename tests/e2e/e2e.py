#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# NAME
#        e2e.py - scenario, expectations and checks of the end-to-end test
# SYNOPSIS
#        e2e.py setup DIR
#        e2e.py addresses
#        e2e.py dnsmasq-args
#        e2e.py messages ROUND
#        e2e.py settle --spool DIR --events FILE --round N [--since EPOCH] [--timeout S]
#        e2e.py expect --events FILE --journal-json FILE --queue-json FILE --round N
#                      [--postfix-version V] [--tls-loglevel N] [--policy FILE]
#        e2e.py compare EXPECTED.json REPORT.json
#        e2e.py advise-check SUGGESTED POLICY EXPECTED.json
#        e2e.py audit-check --status N AUDIT.json
# DESCRIPTION
#        The scenario table below is the single source of what the test does:
#        which receivers listen where and how (receiver.py), which domains have
#        which MX hosts (dnsmasq), TLS policy and transport, and how many
#        messages go to each domain in each round.
#
#        Expected counts are derived from what the test itself produced: the
#        receivers record every accepted message with the TLS version and
#        cipher of its session, every rejected recipient and every session
#        that ended without mail (a refused TLS policy); the queue says which
#        messages are still deferred. Only the number of deferred delivery
#        attempts per recipient is read from the journal, by counting the
#        smtp client's "to=<RECIPIENT>, ... status=deferred" lines of the
#        test's own unique recipient addresses; where a receiver saw those
#        attempts too, both numbers must agree.
#
#        Trust words follow from the scenario: a certificate issued by the CA
#        in smtp_tls_CAfile is "Trusted" at level may or encrypt, "Verified"
#        under a matching secure policy; a self-signed one is "Untrusted".
#        Counts are per recipient delivery line: by_protocol and by_trust
#        cover TLS deliveries only.
#
#        Postfix 3.11 and later add "tls=LEVEL-STATUS" to every smtp delivery
#        line (postfix-log-formats.md section 2.3); mxtls' by_level counts
#        those tokens. The expected token of each outcome follows from the
#        level the test configured for the destination (the policy map, else
#        smtp_tls_security_level = may; in round 3 the merged map) and from
#        what the receiver saw: a TLS session at level L gives "L", a
#        cleartext one at "may" gives "may:none", any delivery over a reused
#        connection (the receiver's second or later message of a session)
#        "L?" (at level none such a connection is found by next-hop and the
#        line has no tls= at all), a refused policy (no STARTTLS under
#        encrypt, a certificate that does not verify under secure) "!L", a
#        failed handshake or connection "L?". Before trusting these predictions the harness
#        compares them with the tokens Postfix really logged for the test's
#        recipients; a difference there is a harness failure, one in mxtls'
#        report an mxtls failure.
#
#        With smtp_tls_loglevel = 0 no TLS line is logged for TLS run by the
#        smtp process itself (postfix-log-formats.md section 1.3), only for
#        connections through tlsproxy (the "tlsproxy" destinations below):
#        other TLS deliveries are still TLS (by tls= on 3.11), with protocol
#        and trust "unknown".
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import time

NET = "192.0.2."          # RFC 5737 TEST-NET-1, only inside the test's network namespace
SENDER = "sender@sender.invalid"

# name: (last octet, mode, certificate, min TLS, max TLS)
LISTENERS = {
        "tls13":       (10, "tls",    "ca",   "TLSv1.3", "TLSv1.3"),
        "tls12":       (11, "tls",    "ca",   None,      "TLSv1.2"),
        "selfsigned":  (12, "tls",    "self", None,      None),
        "plain":       (13, "plain",  None,   None,      None),
        "broken":      (14, "broken", None,   None,      None),
        "reject":      (15, "reject", "ca",   "TLSv1.3", None),
        "reuse-tls":   (17, "tls",    "ca",   "TLSv1.3", None),
        "reuse-plain": (18, "plain",  None,   None,      None),
        "enc-plain":   (19, "plain",  None,   None,      None),
        "secure-bad":  (20, "tls",    "self", None,      None),
        "verified":    (21, "tls",    "ca",   None,      None),
        "none-tls":    (22, "tls",    "ca",   None,      None),
}
UNREACHABLE_OCTET = 16  # nothing listens there: connection refused

# What happens to mail for a domain.
DELIVER, TLS_FAIL, OTHER_FAIL = "deliver", "tls_fail", "other_fail"

# domain: dict(mx=[(host, listener or None, preference)], policy, transport,
#              rounds=[single-recipient messages in round 1, 2, 3 (default 0)],
#              multi={round: recipients of one extra multi-recipient message},
#              serial=send one at a time (connection reuse), fate, trust, reason,
#              deferral_sessions=listener whose mail-less sessions are the attempts)
DOMAINS = {
        "tls13.test": dict(mx=[("mx.tls13.test", "tls13", 10)], rounds=[3, 2, 1],
                           multi={1: 3}, fate=DELIVER, trust="Trusted"),
        "tls12.test": dict(mx=[("mx.tls12.test", "tls12", 10)], rounds=[3, 2, 1],
                           fate=DELIVER, trust="Trusted"),
        "selfsigned.test": dict(mx=[("mx.selfsigned.test", "selfsigned", 10)],
                                rounds=[2, 2], fate=DELIVER, trust="Untrusted"),
        "plain.test": dict(mx=[("mx.plain.test", "plain", 10)], rounds=[2, 1],
                           multi={2: 2}, fate=DELIVER),
        # one TLS and one plaintext MX of equal preference: Postfix picks at random
        "mixed.test": dict(mx=[("mx1.mixed.test", "tls13", 10),
                               ("mx2.mixed.test", "plain", 10)],
                           rounds=[6, 6], fate=DELIVER, trust="Trusted"),
        "encrypt.test": dict(mx=[("mx.encrypt.test", "enc-plain", 10)], policy="encrypt",
                             rounds=[2, 1], fate=TLS_FAIL, reason="starttls_not_offered",
                             deferral_sessions="enc-plain"),
        "secure.test": dict(mx=[("mx.secure.test", "secure-bad", 10)], policy="secure",
                            rounds=[2, 1], fate=TLS_FAIL, reason="cert_not_verified",
                            deferral_sessions="secure-bad"),
        "broken.test": dict(mx=[("mx.broken.test", "broken", 10)], rounds=[2, 1],
                            fate=TLS_FAIL, reason="handshake_failed",
                            deferral_sessions="broken"),
        "unreachable.test": dict(mx=[("mx.unreachable.test", None, 10)], rounds=[2, 1],
                                 fate=OTHER_FAIL),
        "reject.test": dict(mx=[("mx.reject.test", "reject", 10)], rounds=[2, 1],
                            fate=OTHER_FAIL),
        "reuse.test": dict(mx=[("mx.reuse.test", "reuse-tls", 10)],
                           policy="may connection_reuse=yes", rounds=[4, 3], serial=True,
                           tlsproxy=True, fate=DELIVER, trust="Trusted"),
        "relay.test": dict(mx=[("mx.relay.test", "reuse-tls", 10)], transport="relay:",
                           rounds=[4, 3, 1], serial=True, tlsproxy=True, fate=DELIVER,
                           trust="Trusted"),
        "plainreuse.test": dict(mx=[("mx.plainreuse.test", "reuse-plain", 10)],
                                rounds=[4, 3], serial=True, fate=DELIVER),
        "verified.test": dict(mx=[("mx.verified.test", "verified", 10)],
                              policy="secure match=nexthop:dot-nexthop", rounds=[2, 2],
                              fate=DELIVER, trust="Verified"),
        # level none although the server offers STARTTLS: cleartext, cached
        # connections reused by next-hop (3.11: no tls= on those lines)
        "nonereuse.test": dict(mx=[("mx.nonereuse.test", "none-tls", 10)], policy="none",
                               rounds=[3, 2], serial=True, fate=DELIVER),
}
SMTP_IDENTIFIERS = ("postfix/smtp", "postfix/relay/smtp")
DEFAULT_LEVEL = "may"     # smtp_tls_security_level of tests/e2e/postfix/main.cf
UNKNOWN = "unknown"       # mxtls' key for an empty protocol or trust


def die(msg):
        print("e2e.py: " + msg, file=sys.stderr)
        sys.exit(1)


def addr_of(listener):
        return NET + str(LISTENERS[listener][0] if listener else UNREACHABLE_OCTET)


def domain_of(rcpt):
        return rcpt.rsplit("@", 1)[-1].lower()


def run(*args, **kw):
        subprocess.run(args, check=True, **kw)


# ---------------------------------------------------------------- setup

def make_pki(d):
        ca_names = sorted({h for dom in DOMAINS.values() for h, l, _ in dom["mx"]
                           if l and LISTENERS[l][2] == "ca"})
        self_names = sorted({h for dom in DOMAINS.values() for h, l, _ in dom["mx"]
                             if l and LISTENERS[l][2] == "self"})
        q = dict(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def key(name):
                run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-out", os.path.join(d, name), **q)

        def ext(names, ca):
                p = os.path.join(d, "ext-%s.cnf" % ("ca" if ca else names[0]))
                with open(p, "w") as f:
                        if ca:
                                f.write("basicConstraints=critical,CA:TRUE\n"
                                        "keyUsage=critical,keyCertSign,cRLSign\n")
                        else:
                                f.write("basicConstraints=critical,CA:FALSE\n"
                                        "keyUsage=critical,digitalSignature\n"
                                        "extendedKeyUsage=serverAuth\n"
                                        "subjectAltName=" +
                                        ",".join("DNS:" + n for n in names) + "\n")
                return p

        key("ca.key")
        run("openssl", "req", "-new", "-x509", "-key", os.path.join(d, "ca.key"),
            "-subj", "/CN=mxtls e2e test CA", "-days", "2",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-out", os.path.join(d, "ca.crt"), **q)
        key("server.key")
        run("openssl", "req", "-new", "-key", os.path.join(d, "server.key"),
            "-subj", "/CN=" + ca_names[0], "-out", os.path.join(d, "server.csr"), **q)
        run("openssl", "x509", "-req", "-in", os.path.join(d, "server.csr"),
            "-CA", os.path.join(d, "ca.crt"), "-CAkey", os.path.join(d, "ca.key"),
            "-CAcreateserial", "-days", "2", "-extfile", ext(ca_names, False),
            "-out", os.path.join(d, "server.crt"), **q)
        key("self.key")
        run("openssl", "req", "-new", "-x509", "-key", os.path.join(d, "self.key"),
            "-subj", "/CN=" + self_names[0], "-days", "2",
            "-addext", "subjectAltName=" + ",".join("DNS:" + n for n in self_names),
            "-out", os.path.join(d, "self.crt"), **q)


def cmd_setup(a):
        d = a.dir
        pki = os.path.join(d, "pki")
        os.makedirs(pki, exist_ok=True)
        make_pki(pki)

        listeners = []
        for name, (octet, mode, cert, lo, hi) in LISTENERS.items():
                l = dict(name=name, addr=NET + str(octet), port=25, mode=mode)
                if cert:
                        base = "server" if cert == "ca" else "self"
                        l.update(cert=os.path.join(pki, base + ".crt"),
                                 key=os.path.join(pki, base + ".key"), min=lo, max=hi)
                listeners.append(l)
        with open(os.path.join(d, "receivers.json"), "w") as f:
                json.dump({"listeners": listeners}, f, indent=1)

        etc = os.path.join(d, "postfix-etc")
        with open(os.path.join(etc, "tls_policy"), "w") as f:
                f.write("# TLS policy of the end-to-end test\n")
                for dom, s in DOMAINS.items():
                        if s.get("policy"):
                                f.write("%-16s %s\n" % (dom, s["policy"]))
        with open(os.path.join(etc, "transport"), "w") as f:
                f.write("sender.invalid discard:\n")
                for dom, s in DOMAINS.items():
                        if s.get("transport"):
                                f.write("%s %s\n" % (dom, s["transport"]))
        with open(os.path.join(pki, "ca.crt")) as src, \
             open(os.path.join(etc, "e2e-ca.crt"), "w") as dst:
                dst.write(src.read())


def cmd_addresses(a):
        octets = {v[0] for v in LISTENERS.values()} | {UNREACHABLE_OCTET}
        for o in sorted(octets):
                print(NET + str(o))


def cmd_dnsmasq_args(a):
        hosts = {}
        for dom, s in DOMAINS.items():
                for host, listener, pref in s["mx"]:
                        print("--mx-host=%s,%s,%d" % (dom, host, pref))
                        hosts[host] = addr_of(listener)
        for host, addr in sorted(hosts.items()):
                print("--host-record=%s,%s" % (host, addr))


def recipients(rnd):
        """Messages of round rnd: (domain, serial, [recipients]) in sending order."""
        out = []
        for dom, s in DOMAINS.items():
                n = s["rounds"][rnd - 1] if rnd <= len(s["rounds"]) else 0
                for i in range(n):
                        out.append((dom, s.get("serial", False), ["r%d-m%d@%s" % (rnd, i + 1, dom)]))
                n = s.get("multi", {}).get(rnd)
                if n:
                        out.append((dom, False, ["r%d-multi-%d@%s" % (rnd, j + 1, dom)
                                                 for j in range(n)]))
        return out


def cmd_messages(a):
        for dom, serial, rcpts in recipients(a.round):
                print("%s %s" % ("serial" if serial else "batch", " ".join(rcpts)))


# ---------------------------------------------------------------- settle

def read_events(path):
        evs = []
        if os.path.exists(path):
                with open(path, encoding="utf-8") as f:
                        for line in f:
                                if line.strip():
                                        evs.append(json.loads(line))
        return evs


def read_queue():
        p = subprocess.run(["postqueue", "-j"], check=True, capture_output=True, text=True)
        return [json.loads(l) for l in p.stdout.splitlines() if l.strip()]


def expected_queued(upto):
        return {r for rnd in range(1, upto + 1) for dom, _, rcpts in recipients(rnd)
                for r in rcpts if DOMAINS[dom]["fate"] in (TLS_FAIL,)
                or dom == "unreachable.test"}


def expected_seen(upto):
        return {r for rnd in range(1, upto + 1) for dom, _, rcpts in recipients(rnd)
                for r in rcpts if DOMAINS[dom]["fate"] == DELIVER or dom == "reject.test"}


def cmd_settle(a):
        want_queued = expected_queued(a.round)
        want_seen = expected_seen(a.round)
        deadline = time.time() + a.timeout
        stable = 0
        while True:
                q = read_queue()
                busy = [m["queue_id"] for m in q if m["queue_name"] != "deferred"]
                queued = {r["address"].lower() for m in q for r in m["recipients"]}
                seen = set()
                for ev in read_events(a.events):
                        if ev["ev"] == "msg":
                                seen.update(ev["rcpts"])
                        elif ev["ev"] == "reject":
                                seen.add(ev["rcpt"])
                stale = []
                if a.since:
                        ddir = os.path.join(a.spool, "deferred")
                        for root, _, files in os.walk(ddir):
                                for fn in files:
                                        try:
                                                st = os.stat(os.path.join(root, fn))
                                        except FileNotFoundError:
                                                continue
                                        if st.st_ctime < a.since:
                                                stale.append(fn)
                done = (not busy and queued == want_queued and want_seen <= seen and not stale)
                stable = stable + 1 if done else 0
                if stable >= 3:
                        return 0
                if time.time() > deadline:
                        print("settle: timed out after %ds" % a.timeout, file=sys.stderr)
                        print("  not deferred yet: %s" % busy, file=sys.stderr)
                        print("  queued but not expected: %s" % sorted(queued - want_queued),
                              file=sys.stderr)
                        print("  expected in queue, missing: %s" % sorted(want_queued - queued),
                              file=sys.stderr)
                        print("  not seen by a receiver: %s" % sorted(want_seen - seen),
                              file=sys.stderr)
                        print("  deferred, not retried since the flush: %s" % stale,
                              file=sys.stderr)
                        return 1
                time.sleep(0.3)


# ---------------------------------------------------------------- expectations

def empty_counts():
        return dict(delivered=0, tls=0, plaintext=0, tls_failed=0, other_failed=0,
                    by_protocol={}, by_trust={}, by_level={}, tls_failures={})


def bump(d, k, n=1):
        d[k] = d.get(k, 0) + n


def journal_attempts(path):
        """{recipient: Counter(status)} and {recipient: Counter((status, tls token))}
        from the smtp client's delivery lines ("" when a line has no tls=)."""
        rx_to = re.compile(r": to=<([^>]*)>,")
        rx_status = re.compile(r", status=([a-zA-Z-]+)")
        rx_tls = re.compile(r", tls=([^ ,]+), dsn=")
        out = collections.defaultdict(collections.Counter)
        tokens = collections.defaultdict(collections.Counter)
        with open(path, encoding="utf-8") as f:
                for line in f:
                        e = json.loads(line)
                        if e.get("SYSLOG_IDENTIFIER") not in SMTP_IDENTIFIERS:
                                continue
                        msg = e.get("MESSAGE")
                        if not isinstance(msg, str):
                                continue
                        m, s = rx_to.search(msg), rx_status.search(msg)
                        if m and s:
                                out[m.group(1).lower()][s.group(1)] += 1
                                t = rx_tls.search(msg)
                                tokens[m.group(1).lower()][(s.group(1), t.group(1) if t else "")] += 1
        return out, tokens


def version_tuple(v):
        return tuple(int(x) for x in re.findall(r"\d+", v or "0")[:2])


def round_of(rcpt):
        m = re.match(r"r(\d+)-", rcpt)
        return int(m.group(1)) if m else 0


def configured_level(dom, rnd, live_policy):
        """The TLS level the test configured for dom when round rnd's mail left."""
        pol = DOMAINS[dom].get("policy")
        if rnd >= 3 and dom in live_policy:
                pol = live_policy[dom]          # the merged advice is live in round 3
        return pol.split()[0] if pol else DEFAULT_LEVEL


def expected_token(dom, level, kind, tls, reused):
        """tls= token Postfix 3.11 logs for one outcome (postfix-log-formats.md 2.3, 2.4)."""
        if kind in ("msg", "reject"):
                if reused and level == "none":
                        return ""               # reused by next-hop: no tls= at all (2.4)
                if reused:
                        return level + "?"
                if tls:
                        return level
                return "none" if level == "none" else level + ":none"
        reason = DOMAINS[dom].get("reason")
        if reason in ("starttls_not_offered", "cert_not_verified"):
                return "!" + level
        return level + "?"                      # handshake failed, connection refused


def cmd_expect(a):
        evs = read_events(a.events)
        attempts, logged_tokens = journal_attempts(a.journal_json)
        with open(a.queue_json, encoding="utf-8") as f:
                queue = [json.loads(l) for l in f if l.strip()]
        live_policy = policy_domains(a.policy) if a.policy else {}
        with_tokens = version_tuple(a.postfix_version) >= (3, 11)
        problems = []
        exp = {dom: empty_counts() for dom in DOMAINS}
        # tls= tokens: predicted per recipient as {recipient: Counter((status, token))}
        predicted = collections.defaultdict(collections.Counter)
        sent_rcpts = {r for rnd in range(1, a.round + 1)
                      for _, _, rcpts in recipients(rnd) for r in rcpts}

        # Delivered and rejected: what the receivers saw.
        received = collections.Counter()
        for ev in evs:
                if ev["ev"] == "msg":
                        for r in ev["rcpts"]:
                                dom = domain_of(r)
                                if r not in sent_rcpts or dom not in exp:
                                        problems.append("receiver got unexpected recipient %s" % r)
                                        continue
                                received[r] += 1
                                c = exp[dom]
                                c["delivered"] += 1
                                if ev["tls"]:
                                        c["tls"] += 1
                                        if a.tls_loglevel == 0 and not DOMAINS[dom].get("tlsproxy"):
                                                bump(c["by_protocol"], UNKNOWN)
                                                bump(c["by_trust"], UNKNOWN)
                                        else:
                                                bump(c["by_protocol"], ev["tls"])
                                                bump(c["by_trust"], DOMAINS[dom]["trust"])
                                else:
                                        c["plaintext"] += 1
                                level = configured_level(dom, round_of(r), live_policy)
                                predicted[r][("sent", expected_token(dom, level, "msg", ev["tls"],
                                                                     ev["n"] >= 2))] += 1
                elif ev["ev"] == "reject":
                        dom = domain_of(ev["rcpt"])
                        received[ev["rcpt"]] += 1
                        exp[dom]["other_failed"] += 1
                        level = configured_level(dom, round_of(ev["rcpt"]), live_policy)
                        predicted[ev["rcpt"]][("bounced", expected_token(dom, level, "reject",
                                                                         ev["tls"], False))] += 1
        for r, n in received.items():
                if n != 1:
                        problems.append("recipient %s reached a receiver %d times" % (r, n))

        # Deferred attempts: the smtp client's own lines for the test's recipients.
        for dom, s in DOMAINS.items():
                n = sum(attempts[r]["deferred"] for r in sent_rcpts if domain_of(r) == dom)
                for r in sent_rcpts:
                        if domain_of(r) == dom and attempts[r]["deferred"]:
                                level = configured_level(dom, round_of(r), live_policy)
                                predicted[r][("deferred", expected_token(dom, level, "deferred",
                                                                         None, False))] \
                                        += attempts[r]["deferred"]
                if s["fate"] == TLS_FAIL:
                        exp[dom]["tls_failed"] += n
                        if n:
                                bump(exp[dom]["tls_failures"], s["reason"], n)
                elif n:
                        exp[dom]["other_failed"] += n
                if s["fate"] != DELIVER and dom != "reject.test" and n == 0:
                        problems.append("%s: no deferred delivery attempt was logged" % dom)
                if s["fate"] == DELIVER and n:
                        problems.append("%s: %d unexpected deferrals" % (dom, n))
                # Cross-check with the receiver that saw those attempts.
                lst = s.get("deferral_sessions")
                if lst:
                        if s["reason"] == "handshake_failed":
                                seen = sum(1 for ev in evs if ev["ev"] == "session"
                                           and ev["listener"] == lst and ev["starttls"] == "broken")
                        else:
                                seen = sum(1 for ev in evs if ev["ev"] == "session"
                                           and ev["listener"] == lst and ev["msgs"] == 0)
                        if seen != n:
                                problems.append("%s: the journal has %d deferred attempts, the "
                                                "receiver %s saw %d" % (dom, n, lst, seen))
                sent = sum(attempts[r]["sent"] for r in sent_rcpts if domain_of(r) == dom)
                if sent != exp[dom]["delivered"]:
                        problems.append("%s: receivers got %d recipients, the journal says "
                                        "%d sent" % (dom, exp[dom]["delivered"], sent))

        # Whatever was not received must still be in the queue, and nothing else.
        queued = {r["address"].lower() for m in queue for r in m["recipients"]}
        for r in sorted(sent_rcpts):
                dom = domain_of(r)
                fate = DOMAINS[dom]["fate"]
                if fate == DELIVER or dom == "reject.test":
                        if received[r] != 1:
                                problems.append("%s was never received" % r)
                elif r not in queued:
                        problems.append("%s should still be queued" % r)

        # tls= tokens: what the harness predicts must be what Postfix logged;
        # then they are what mxtls must count in by_level.
        for r in sorted(sent_rcpts):
                want = predicted[r] if with_tokens else collections.Counter(
                        {(st, ""): n for (st, _), n in predicted[r].items()})
                got = collections.Counter({k: v for k, v in logged_tokens[r].items()
                                           if k[0] in ("sent", "bounced", "deferred")})
                if want != got:
                        problems.append("%s: Postfix logged (status, tls=) %s, the harness "
                                        "predicted %s" % (r, sorted(got.items()),
                                                          sorted(want.items())))
        if with_tokens:
                for r, cnt in predicted.items():
                        for (_, tok), n in cnt.items():
                                if tok:
                                        bump(exp[domain_of(r)]["by_level"], tok, n)
        logged = collections.Counter()
        for r in sent_rcpts:
                for (st, tok), n in logged_tokens[r].items():
                        logged["%s %s" % (st, tok or "(no tls=)")] += n

        # Connection reuse must actually have happened where it was asked for.
        for lst in ("reuse-tls", "reuse-plain", "none-tls"):
                if not any(ev["ev"] == "msg" and ev["listener"] == lst and ev["n"] >= 2
                           for ev in evs):
                        problems.append("listener %s never saw a reused connection" % lst)
        if not any(ev["ev"] == "msg" and domain_of(ev["rcpts"][0]) == "mixed.test" and ev["tls"]
                   for ev in evs) or \
           not any(ev["ev"] == "msg" and domain_of(ev["rcpts"][0]) == "mixed.test"
                   and not ev["tls"] for ev in evs):
                print("note: mixed.test used only one of its two MX hosts so far", file=sys.stderr)

        # Connections through tlsproxy: each handshake is logged twice (tlsproxy
        # and smtp) and must be counted once; reported for the log.
        proxied = {ev["session"] for ev in evs if ev["ev"] == "msg" and ev["tls"]
                   and DOMAINS[domain_of(ev["rcpts"][0])].get("serial")}
        info = dict(tlsproxy_connections=len(proxied),
                    tls_deliveries_over_tlsproxy=sum(
                            len(ev["rcpts"]) for ev in evs
                            if ev["ev"] == "msg" and ev["session"] in proxied),
                    logged_tls_tokens=dict(sorted(logged.items())))

        totals = empty_counts()
        for c in exp.values():
                for k, v in c.items():
                        if isinstance(v, dict):
                                for kk, vv in v.items():
                                        bump(totals[k], kk, vv)
                        else:
                                totals[k] += v
        json.dump({"totals": totals, "domains": exp, "info": info}, sys.stdout, indent=1,
                  sort_keys=True)
        print()
        if problems:
                for p in problems:
                        print("harness: " + p, file=sys.stderr)
                return 1
        return 0


# ---------------------------------------------------------------- comparisons

FIELDS = ("delivered", "tls", "plaintext", "tls_failed", "other_failed")
MAPS = ("by_protocol", "by_trust", "by_level", "tls_failures")


def nonzero(d):
        return {k: v for k, v in (d or {}).items() if v}


def compare_counts(where, want, got, out):
        for f in FIELDS:
                if got.get(f) != want[f]:
                        out.append("%s: %s = %s, expected %d" % (where, f, got.get(f), want[f]))
        for m in MAPS:
                if nonzero(got.get(m)) != nonzero(want[m]):
                        out.append("%s: %s = %s, expected %s" % (where, m, nonzero(got.get(m)),
                                                                 nonzero(want[m])))


def cmd_compare(a):
        want = json.load(open(a.expected))
        got = json.load(open(a.report))
        out = []
        doms = {d["domain"]: d for d in got.get("domains", [])}
        for dom, w in sorted(want["domains"].items()):
                if dom not in doms:
                        out.append("%s: missing from the report" % dom)
                        continue
                compare_counts(dom, w, doms[dom], out)
        for dom in sorted(set(doms) - set(want["domains"])):
                out.append("%s: in the report, but the test sent no mail there" % dom)
        compare_counts("totals", want["totals"], got.get("totals", {}), out)
        checked = len(want["domains"])
        if out:
                print("%d mismatches:" % len(out))
                for l in out:
                        print("  " + l)
                return 1
        print("report matches the expectations: %d domains and the totals, fields %s"
              % (checked, ", ".join(FIELDS + MAPS)))
        return 0


# ---------------------------------------------------------------- advise, audit

# The rules of tests/e2e/advise-template.yaml.
ADVISE_MIN_DELIVERIES = 2
ADVISE_TRUST = {"Trusted", "Verified"}
ADVISE_PROTOCOLS = {"TLSv1.2", "TLSv1.3"}
ADVISE_LEVEL = "encrypt"
ADVISE_ATTRS = ["protocols=>=TLSv1.2"]


def policy_domains(path):
        out = {}
        with open(path, encoding="utf-8") as f:
                for line in f:
                        if line.strip() and not line.lstrip().startswith("#"):
                                k, v = line.split(None, 1)
                                out[k.lower()] = v.strip()
        return out


def cmd_advise_check(a):
        want = json.load(open(a.expected))
        policy = policy_domains(a.policy)
        expect = set()
        for dom, c in want["domains"].items():
                if dom in policy or c["delivered"] < ADVISE_MIN_DELIVERIES:
                        continue
                if c["tls"] != c["delivered"] or c["tls_failed"]:
                        continue
                if set(c["by_trust"]) - ADVISE_TRUST or set(c["by_protocol"]) - ADVISE_PROTOCOLS:
                        continue
                expect.add(dom)
        got, out = {}, []
        with open(a.suggested, encoding="utf-8") as f:
                for line in f:
                        if not line.strip() or line.lstrip().startswith("#"):
                                continue
                        if line[0].isspace():
                                out.append("continuation line in the suggestions: %r" % line)
                                continue
                        words = line.split()
                        if words[0] in got:
                                out.append("%s proposed twice" % words[0])
                        got[words[0]] = words[1:]
        for dom in sorted(set(got) - expect):
                out.append("%s proposed, but %s" % (dom, "the policy map already names it"
                                                    if dom in policy else
                                                    "its mail does not meet the template"))
        for dom in sorted(expect - set(got)):
                out.append("%s meets the template, but was not proposed" % dom)
        for dom in sorted(set(got) & expect):
                if got[dom][:1] != [ADVISE_LEVEL] or \
                   sorted(got[dom][1:]) != sorted(ADVISE_ATTRS):
                        out.append("%s: proposed %r, expected %r" % (dom, " ".join(got[dom]),
                                   " ".join([ADVISE_LEVEL] + ADVISE_ATTRS)))
        if out:
                print("advise: %d problems:" % len(out))
                for l in out:
                        print("  " + l)
                return 1
        print("advise proposed exactly %s" % ", ".join(sorted(got)))
        return 0


def findings(node):
        """Every object with a "code" in the audit's JSON, wherever it is nested."""
        if isinstance(node, dict):
                if isinstance(node.get("code"), str):
                        yield node
                for v in node.values():
                        yield from findings(v)
        elif isinstance(node, list):
                for v in node:
                        yield from findings(v)


def finding_subject(f):
        for k in ("domain", "key", "destination", "entry", "subject"):
                if isinstance(f.get(k), str):
                        return f[k].lower()
        return ""


# domain of the policy map -> finding codes the audit must report for it
AUDIT_MUST = {"encrypt.test": {"MXT001"}, "secure.test": {"MXT002"}}
# codes that would be wrong for these entries: their mail went through
AUDIT_MUST_NOT = {"verified.test": {"MXT001", "MXT002", "MXT003"},
                  "reuse.test": {"MXT001", "MXT002", "MXT003"}}


def cmd_audit_check(a):
        out = []
        if a.status != 1:
                out.append("exit status %d, expected 1 (findings)" % a.status)
        try:
                doc = json.load(open(a.audit))
        except (OSError, ValueError) as e:
                print("audit: no JSON output: %s" % e)
                return 1
        codes = collections.defaultdict(set)
        for f in findings(doc):
                codes[finding_subject(f)].add(f["code"])
        default = doc.get("default_level") if isinstance(doc, dict) else None
        if default is not None and default != "may":
                out.append("default level %r, the test's Postfix uses may" % default)
        for dom, must in AUDIT_MUST.items():
                if not must <= codes[dom]:
                        out.append("%s: findings %s, expected at least %s"
                                   % (dom, sorted(codes[dom]), sorted(must)))
        for dom, bad in AUDIT_MUST_NOT.items():
                if codes[dom] & bad:
                        out.append("%s: unexpected findings %s" % (dom, sorted(codes[dom] & bad)))
        if out:
                print("audit: %d problems:" % len(out))
                for l in out:
                        print("  " + l)
                return 1
        print("audit findings: %s" % "; ".join("%s %s" % (d or "(default)", ",".join(sorted(c)))
                                             for d, c in sorted(codes.items()) if c))
        return 0


# ---------------------------------------------------------------- main

def main():
        p = argparse.ArgumentParser()
        sub = p.add_subparsers(dest="cmd", required=True)
        s = sub.add_parser("setup")
        s.add_argument("dir")
        sub.add_parser("addresses")
        sub.add_parser("dnsmasq-args")
        s = sub.add_parser("messages")
        s.add_argument("round", type=int)
        s = sub.add_parser("settle")
        s.add_argument("--spool", required=True)
        s.add_argument("--events", required=True)
        s.add_argument("--round", type=int, required=True)
        s.add_argument("--since", type=float, default=0)
        s.add_argument("--timeout", type=float, default=120)
        s = sub.add_parser("expect")
        s.add_argument("--events", required=True)
        s.add_argument("--journal-json", required=True)
        s.add_argument("--queue-json", required=True)
        s.add_argument("--round", type=int, required=True)
        s.add_argument("--postfix-version", default="")
        s.add_argument("--tls-loglevel", type=int, default=1)
        s.add_argument("--policy")
        s = sub.add_parser("compare")
        s.add_argument("expected")
        s.add_argument("report")
        s = sub.add_parser("advise-check")
        s.add_argument("suggested")
        s.add_argument("policy")
        s.add_argument("expected")
        s = sub.add_parser("audit-check")
        s.add_argument("--status", type=int, required=True)
        s.add_argument("audit")
        a = p.parse_args()
        return {"setup": cmd_setup, "addresses": cmd_addresses,
                "dnsmasq-args": cmd_dnsmasq_args, "messages": cmd_messages,
                "settle": cmd_settle, "expect": cmd_expect,
                "compare": cmd_compare, "advise-check": cmd_advise_check,
                "audit-check": cmd_audit_check}[a.cmd](a) or 0


if __name__ == "__main__":
        sys.exit(main())
