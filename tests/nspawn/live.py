#!/usr/bin/python3
#
# NAME
#        live.py - expectations and checks of the live systemd test
# SYNOPSIS
#        live.py expected EVENTS.jsonl DOMAIN...
#        live.py compare EXPECTED.json REPORT.json
#        live.py prom FILE (zero | EXPECTED.json)
#        live.py suggested FILE
#        live.py scrape URL PROM-FILE-NAME
#        live.py settle EVENTS.jsonl RCPT-COUNT TIMEOUT
# DESCRIPTION
#        Runs inside the container booted by tests/test-systemd-live.sh, with
#        the standard library only.
#
#        expected: per-domain counts from what the receivers (tests/e2e/
#        receiver.py) recorded: every accepted recipient is one delivery, over
#        TLS when the receiver's session had negotiated TLS, else plaintext.
#        Nothing is taken from mxtls' output.
#        compare: mxtls' "report --format json" against those counts, per
#        domain and for the totals (delivered, tls, plaintext; no failures).
#        prom: the Prometheus text file parses line by line; "zero" wants every
#        delivery count 0, EXPECTED.json the per-domain counts.
#        suggested: the tls_policy suggestions parse as a postmap source
#        (comments, blank lines, "KEY VALUE" lines; no continuation lines).
#        scrape: node_exporter's /metrics: node_textfile_scrape_error is 0, the
#        textfile collector read PROM-FILE-NAME, mxtls_ series are exported.
#        settle: wait until the queue is empty and the receivers accepted
#        RCPT-COUNT recipients.
import json
import re
import subprocess
import sys
import time
import urllib.request

FIELDS = ("delivered", "tls", "plaintext", "tls_failed", "other_failed")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)( -?\d+)?$')
LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)')


def events(path):
        out = []
        with open(path, encoding="utf-8") as f:
                for line in f:
                        if line.strip():
                                out.append(json.loads(line))
        return out


def cmd_expected(a):
        exp = {d: dict.fromkeys(FIELDS, 0) for d in a[1:]}
        for ev in events(a[0]):
                if ev["ev"] != "msg":
                        continue
                for r in ev["rcpts"]:
                        dom = r.rsplit("@", 1)[-1].lower()
                        c = exp.setdefault(dom, dict.fromkeys(FIELDS, 0))
                        c["delivered"] += 1
                        c["tls" if ev["tls"] else "plaintext"] += 1
        json.dump(exp, sys.stdout, sort_keys=True)
        print()
        return 0


def cmd_compare(a):
        want = json.load(open(a[0]))
        got = json.load(open(a[1]))
        doms = {d["domain"]: d for d in got.get("domains", [])}
        bad = []
        tot = dict.fromkeys(FIELDS, 0)
        for dom, w in sorted(want.items()):
                g = doms.get(dom)
                if g is None:
                        bad.append("%s: missing from the report" % dom)
                        continue
                for f in FIELDS:
                        tot[f] += w[f]
                        if g.get(f) != w[f]:
                                bad.append("%s: %s = %s, the receivers say %d" % (dom, f, g.get(f), w[f]))
        for dom in sorted(set(doms) - set(want)):
                bad.append("%s: in the report, but no receiver saw mail for it" % dom)
        for f in FIELDS:
                if got.get("totals", {}).get(f) != tot[f]:
                        bad.append("totals: %s = %s, the receivers say %d"
                                   % (f, got.get("totals", {}).get(f), tot[f]))
        print("  report: " + "; ".join("%s delivered %s tls %s plaintext %s" % (
                d, doms[d].get("delivered"), doms[d].get("tls"), doms[d].get("plaintext"))
                for d in sorted(doms)) if doms else "  report: no domains")
        for b in bad:
                print("  mismatch: " + b)
        return 1 if bad else 0


def parse_prom(text):
        """[(name, {label: value}, value)]; raises ValueError on a bad line."""
        out = []
        for n, line in enumerate(text.splitlines(), 1):
                if not line.strip():
                        continue
                if line.startswith("#"):        # HELP, TYPE and comments
                        continue
                m = SAMPLE.match(line)
                if not m:
                        raise ValueError("line %d: %r" % (n, line))
                labels = {}
                rest = m.group(3) or ""
                while rest:
                        lm = LABEL.match(rest)
                        if not lm:
                                raise ValueError("line %d: bad labels %r" % (n, rest))
                        labels[lm.group(1)] = lm.group(2)
                        rest = rest[lm.end():]
                out.append((m.group(1), labels, float(m.group(4))))
        return out


def cmd_prom(a):
        try:
                samples = parse_prom(open(a[0], encoding="utf-8").read())
        except (OSError, ValueError, UnicodeDecodeError) as e:
                print("  %s: %s" % (a[0], e))
                return 1
        bad = []
        outcomes = {l["outcome"]: v for n, l, v in samples if n == "mxtls_deliveries_total"}
        if not outcomes:
                bad.append("no mxtls_deliveries_total series")
        if a[1] == "zero":
                for n, l, v in samples:
                        if n.endswith("_total") and v != 0:
                                bad.append("%s%s = %g on a host without mail" % (n, l, v))
        else:
                want = json.load(open(a[1]))
                dom = {(l.get("domain"), l.get("outcome")): v for n, l, v in samples
                       if n == "mxtls_domain_deliveries_total"}
                for d, w in sorted(want.items()):
                        for f in ("tls", "plaintext"):
                                if dom.get((d, f)) != w[f]:
                                        bad.append("mxtls_domain_deliveries_total{domain=%s,outcome=%s}"
                                                   " = %s, the receivers say %d" % (d, f, dom.get((d, f)), w[f]))
                for f in ("tls", "plaintext"):
                        t = sum(w[f] for w in want.values())
                        if outcomes.get(f) != t:
                                bad.append("mxtls_deliveries_total{outcome=%s} = %s, the receivers say %d"
                                           % (f, outcomes.get(f), t))
        print("  %s: %d samples, mxtls_deliveries_total %s" % (
                a[0], len(samples), ", ".join("%s=%g" % kv for kv in sorted(outcomes.items()))))
        for b in bad:
                print("  " + b)
        return 1 if bad else 0


def cmd_suggested(a):
        n = 0
        with open(a[0], encoding="utf-8") as f:
                for i, line in enumerate(f, 1):
                        s = line.strip()
                        if not s or s.startswith("#"):
                                continue
                        if line[0].isspace() or len(s.split(None, 1)) != 2:
                                print("  %s line %d is not a postmap entry: %r" % (a[0], i, line))
                                return 1
                        n += 1
        print("  %s: %d entries" % (a[0], n))
        return 0


def cmd_scrape(a):
        try:
                with urllib.request.urlopen(a[0], timeout=10) as r:
                        text = r.read().decode("utf-8")
        except OSError as e:
                print("  cannot fetch %s: %s" % (a[0], e))
                return 1
        try:
                samples = parse_prom(text)
        except ValueError as e:
                print("  /metrics does not parse: %s" % e)
                return 1
        bad = []
        err = [v for n, l, v in samples if n == "node_textfile_scrape_error"]
        if err != [0]:
                bad.append("node_textfile_scrape_error = %s, expected [0]" % err)
        mt = [l.get("file") for n, l, v in samples if n == "node_textfile_mtime_seconds"]
        if not any(f and f.endswith(a[1]) for f in mt):
                bad.append("node_textfile_mtime_seconds has no %s (files: %s)" % (a[1], mt))
        mx = sorted({n for n, l, v in samples if n.startswith("mxtls_")})
        if "mxtls_deliveries_total" not in mx:
                bad.append("no mxtls_deliveries_total in /metrics")
        print("  /metrics: node_textfile_scrape_error %s, %d mxtls_ families: %s"
              % (err, len(mx), " ".join(mx)))
        for line in text.splitlines():
                if line.startswith("mxtls_deliveries_total"):
                        print("    " + line)
        for b in bad:
                print("  " + b)
        return 1 if bad else 0


def cmd_settle(a):
        want, deadline = int(a[1]), time.time() + float(a[2])
        while True:
                q = subprocess.run(["postqueue", "-j"], capture_output=True, text=True)
                queued = [l for l in q.stdout.splitlines() if l.strip()]
                try:
                        got = sum(len(e["rcpts"]) for e in events(a[0]) if e["ev"] == "msg")
                except FileNotFoundError:
                        got = 0
                if q.returncode == 0 and not queued and got >= want:
                        print("  queue empty, receivers accepted %d recipients" % got)
                        return 0 if got == want else 1
                if time.time() > deadline:
                        print("  timed out: %d recipients accepted of %d, queue: %s"
                              % (got, want, queued or q.stderr.strip()))
                        return 1
                time.sleep(0.3)


def main():
        cmds = {"expected": cmd_expected, "compare": cmd_compare, "prom": cmd_prom,
                "suggested": cmd_suggested, "scrape": cmd_scrape, "settle": cmd_settle}
        if len(sys.argv) < 2 or sys.argv[1] not in cmds:
                print("usage: live.py expected|compare|prom|suggested|scrape|settle ...",
                      file=sys.stderr)
                return 2
        return cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
        sys.exit(main())
