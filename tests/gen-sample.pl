#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# gen-sample.pl - write tests/fixtures/sample.txt: one day of outbound mail
# of a small Postfix host, with an "#expect" line before every delivery.
#
#   perl tests/gen-sample.pl > tests/fixtures/sample.txt
#
# Deterministic (fixed seed). Each domain has a profile: how its MX hosts do
# TLS (version, trust), whether STARTTLS is missing, whether deliveries fail.
use strict;
use warnings;
no warnings "portable";

my $seed = 20240304;
sub rnd { $seed = ($seed * 1103515245 + 12345) % 2147483648; return $seed / 2147483648; }
sub pick { return $_[int(rnd() * @_)]; }

my %cipher = (
        "TLSv1.3" => "TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
        "TLSv1.2" => "ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)",
        "TLSv1"   => "ECDHE-RSA-AES256-SHA (256/256 bits)",
);

# name, messages, mx, address, protocol (or "" for none), trust, behaviour
my @domains = (
        [ "example.com",       18, "mx.example.com",        "192.0.2.11",     "TLSv1.3", "Verified",  "ok" ],
        [ "example.net",       12, "mail.example.net",      "198.51.100.12",  "TLSv1.3", "Trusted",   "reuse" ],
        [ "example.org",        9, "smtp.example.org",      "203.0.113.13",   "TLSv1.2", "Untrusted", "ok" ],
        [ "bigmail.example",   14, "in1.bigmail.example",   "2001:db8:1::25", "TLSv1.3", "Trusted",   "ok" ],
        [ "oldbank.example",    4, "mail.oldbank.example",  "192.0.2.14",     "TLSv1",   "Untrusted", "ok" ],
        [ "plainmail.example",  6, "mx.plainmail.example",  "198.51.100.15",  "",        "",          "ok" ],
        [ "mixed.example",      6, "mx.mixed.example",      "203.0.113.16",   "TLSv1.2", "Trusted",   "sometimes" ],
        [ "strict.example",     5, "mx.strict.example",     "192.0.2.17",     "TLSv1.2", "Verified",  "required" ],
        [ "badcert.example",    2, "mx.badcert.example",    "198.51.100.18",  "TLSv1.2", "Untrusted", "badcert" ],
        [ "down.example",       2, "mx.down.example",       "203.0.113.19",   "",        "",          "down" ],
        [ "reject.example",     2, "mx.reject.example",     "192.0.2.20",     "TLSv1.2", "Trusted",   "reject" ],
);
my @users = qw(alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert sybil trent victor walter);

# Spread the messages over the day, in time order.
my @msgs;
for my $d (@domains) {
        push @msgs, [ 8 * 3600 + int(rnd() * 12 * 3600), $d ] for 1 .. $d->[1];
}
@msgs = sort { $a->[0] <=> $b->[0] } @msgs;
for my $i (1 .. $#msgs) {
        $msgs[$i][0] = $msgs[$i - 1][0] + 5 if $msgs[$i][0] < $msgs[$i - 1][0] + 5;
}

my ($pid, $qn, $records) = (21000, 0x4C1A2B3000, 0);
my $proxy_pid = 1800;
my @out;
sub ts {
        my ($s, $us) = @_;
        return sprintf "2024-03-04T%02d:%02d:%02d.%06dZ", int($s / 3600), int($s / 60) % 60, $s % 60, $us;
}
sub rec {
        my ($s, $us, $ident, $p, $msg) = @_;
        push @out, join(" ", ts($s, $us), "mx1", "b1", $ident, $p, $msg);
        $records++;
}
sub tlsline {
        my ($s, $us, $ident, $p, $d, $verb) = @_;
        rec($s, $us, $ident, $p, "$d->[5] TLS connection $verb to $d->[2]\[$d->[3]\]:25: $d->[4] with cipher $cipher{$d->[4]}");
}
sub delivery {
        my ($s, $us, $p, $qid, $rcpt, $d, $extra, $tail) = @_;
        rec($s, $us, "postfix/smtp", $p, "$qid: to=<$rcpt>, relay=$d->[2]\[$d->[3]\]:25, ${extra}delay=0.4, delays=0.01/0.01/0.2/0.18, $tail");
}

my $last_reuse_pid;
for my $m (@msgs) {
        my ($s, $d) = @$m;
        my ($name, undef, $mx, $addr, $proto, $trust, $how) = @$d;
        my $qid = sprintf "%X", $qn++;
        my @rcpts = map { pick(@users) . "\@$name" } 1 .. (rnd() < 0.2 ? 2 : 1);
        $pid += 1 + int(rnd() * 3);
        my $sent = "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as " . sprintf("%X", 0x9B00000000 + $qn) . ")";

        # One in five messages first passes the local content filter.
        if (rnd() < 0.2) {
                my $fq = sprintf "%X", $qn++;
                for my $r (@rcpts) {
                        push @out, "#expect $name internal";
                        rec($s - 2, 0, "postfix/smtp", $pid + 500, "$fq: to=<$r>, relay=127.0.0.1[127.0.0.1]:10024, delay=1.2, delays=0.01/0/0/1.2, dsn=2.0.0, status=sent (250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as $qid)");
                }
        }

        my $tls = $proto ne "" && !($how eq "sometimes" && rnd() < 0.5);
        if ($how eq "down") {
                rec($s, 0, "postfix/smtp", $pid, "connect to $mx\[$addr\]:25: Connection timed out");
                for my $r (@rcpts) {
                        push @out, "#expect $name other_failed";
                        rec($s, 100000, "postfix/smtp", $pid, "$qid: to=<$r>, relay=none, delay=30, delays=0.01/0/30/0, dsn=4.4.1, status=deferred (connect to $mx\[$addr\]:25: Connection timed out)");
                }
                next;
        }
        if ($how eq "required" && rnd() < 0.4) {
                for my $r (@rcpts) {
                        push @out, "#expect $name tls_failed reason=starttls_not_offered";
                        delivery($s, 300000, $pid, $qid, $r, $d, "", "dsn=4.7.4, status=deferred (TLS is required, but was not offered by host $mx\[$addr\])");
                }
                next;
        }
        if ($how eq "badcert") {
                rec($s, 0, "postfix/smtp", $pid, "server certificate verification failed for $mx\[$addr\]:25: num=62:hostname mismatch");
                for my $r (@rcpts) {
                        push @out, "#expect $name tls_failed reason=cert_not_verified";
                        delivery($s, 300000, $pid, $qid, $r, $d, "", "dsn=4.7.5, status=deferred (Server certificate not verified)");
                }
                next;
        }
        if ($how eq "reuse") {
                # Connection reuse through tlsproxy: a new connection is logged by
                # tlsproxy and the smtp process; a cached one by the taker only.
                if (!defined $last_reuse_pid || rnd() < 0.4) {
                        rec($s, 0, "postfix/tlsproxy", $proxy_pid, "CONNECT to [$addr]:25");
                        tlsline($s, 100000, "postfix/tlsproxy", $proxy_pid, $d, "established");
                        tlsline($s, 110000, "postfix/smtp", $pid, $d, "established");
                        for my $r (@rcpts) {
                                push @out, "#expect $name tls proto=$proto trust=$trust";
                                delivery($s, 400000, $pid, $qid, $r, $d, "", $sent);
                        }
                } else {
                        tlsline($s, 0, "postfix/smtp", $pid, $d, "reused");
                        for my $r (@rcpts) {
                                push @out, "#expect $name tls proto=$proto trust=$trust";
                                delivery($s, 100000, $pid, $qid, $r, $d, "conn_use=2, ", $sent);
                        }
                }
                $last_reuse_pid = $pid;
                next;
        }
        tlsline($s, 0, "postfix/smtp", $pid, $d, "established") if $tls;
        for my $r (@rcpts) {
                if ($how eq "reject") {
                        push @out, "#expect $name other_failed";
                        delivery($s, 300000, $pid, $qid, $r, $d, "", "dsn=5.1.1, status=bounced (host $mx\[$addr\] said: 550 5.1.1 <$r>: Recipient address rejected: User unknown (in reply to RCPT TO command))");
                } elsif ($tls) {
                        push @out, "#expect $name tls proto=$proto trust=$trust";
                        delivery($s, 300000, $pid, $qid, $r, $d, "", $sent);
                } else {
                        push @out, "#expect $name plaintext";
                        delivery($s, 300000, $pid, $qid, $r, $d, "", $sent);
                }
        }
        # Now and then a second message rides the same plaintext connection.
        if (!$tls && rnd() < 0.5) {
                my $q2 = sprintf "%X", $qn++;
                my $r = pick(@users) . "\@$name";
                push @out, "#expect $name plaintext";
                delivery($s + 1, 0, $pid, $q2, $r, $d, "conn_use=2, ", $sent);
        }
}

print "# A day of outbound mail of a small Postfix host (generated by tests/gen-sample.pl).\n";
print "# TIMESTAMP HOST BOOT IDENTIFIER PID MESSAGE; \"#expect\" lines give each delivery's outcome.\n";
print "$_\n" for @out;
