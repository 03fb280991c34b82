#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# gen-load.pl - write a large fixture (make-journal.sh format) of outbound mail:
# many destination domains, several hosts and boots, TLS, cleartext, TLS
# failures and connection failures, interleaved sessions.
#
#   perl tests/gen-load.pl [--messages N] [--domains N] [--seed N]
#                          [--end-usec USEC] [--days N] [--prefix P] [--hosts N] > load.txt
#
# Deterministic for given options. Timestamps are written as @USEC; the last
# record is at --end-usec (default: one hour ago), the first --days before it.
# --prefix P puts P- before every domain and host name (loads that share no
# domain and no sending host). --hosts N (1..3, default 3): sending hosts, each
# with its own boot.
use strict;
use warnings;
no warnings "portable";
use Getopt::Long;

my $messages = 15000;
my $ndomains = 600;
my $seed = 1;
my $days = 20;
my $end_usec = (time() - 3600) * 1000000;
my $prefix = "";
my $nhosts = 3;
GetOptions("prefix=s" => \$prefix, "hosts=i" => \$nhosts, "messages=i" => \$messages, "domains=i" => \$ndomains, "seed=i" => \$seed,
           "days=i" => \$days, "end-usec=i" => \$end_usec) or die "bad options\n";

sub rnd { $seed = ($seed * 1103515245 + 12345) % 2147483648; return $seed / 2147483648; }
sub pick { return $_[int(rnd() * @_)]; }

my $pre = $prefix eq "" ? "" : "$prefix-";
my @hosts = ([ "${pre}mx1", "boot1" ], [ "${pre}mx2", "boot2" ], [ "${pre}relay.example.net", "boot3" ]);
die "--hosts: 1 to 3\n" if $nhosts < 1 || $nhosts > 3;
splice @hosts, $nhosts;
my @users = qw(alice bob carol dave erin frank grace heidi ivan judy mallory niaj);
my %cipher = (
        "TLSv1.3" => "TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
        "TLSv1.2" => "ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)",
        "TLSv1"   => "ECDHE-RSA-AES256-SHA (256/256 bits)",
);
my @kinds = ("tls13v", "tls13t", "tls12t", "tls12u", "tls1u", "plain", "badcert", "down",
             "nostarttls", "reject", "tls13t", "tls13v", "tls12t");

my $span = $days * 86400 * 1000000;
my $start = $end_usec - $span;
my $step = int($span / ($messages + 1));
my %pid_of_host;
my $qid = 0x4C00000000;
my @out;

for my $i (0 .. $messages - 1) {
        # Zipf-like popularity: low indices are much more frequent.
        my $d = int($ndomains * rnd() ** 3);
        my $dom = "${pre}d$d.example";
        my $mx = "mx" . ($d % 3) . ".$dom";
        my $addr = "10." . int($d / 250) % 250 . "." . ($d % 250) . ".25";
        my $kind = $kinds[$d % @kinds];
        my ($host, $boot) = @{ $hosts[int(rnd() * @hosts)] };
        my $pid = ($pid_of_host{$host} //= 20000) + int(rnd() * 40);
        $pid_of_host{$host} += 1 if rnd() < 0.3;
        my $t = $start + $i * $step;
        my $q = sprintf "%X", $qid++;
        my $nrcpt = 1 + int(rnd() * rnd() * 4);
        my @rcpts = map { pick(@users) . "$_\@$dom" } 1 .. $nrcpt;
        my $relay = "$mx\[$addr\]:25";
        my $line = sub { my ($dt, $msg) = @_; push @out, sprintf("@%d %s %s postfix/smtp %d %s", $t + $dt, $host, $boot, $pid, $msg); };
        my $dl = "delay=0.4, delays=0.01/0.01/0.2/0.18";
        if ($kind =~ /^tls(13|12|1)([vtu])$/) {
                my $proto = $1 eq "13" ? "TLSv1.3" : $1 eq "12" ? "TLSv1.2" : "TLSv1";
                my $trust = { v => "Verified", t => "Trusted", u => "Untrusted" }->{$2};
                $line->(0, "$trust TLS connection established to $relay: $proto with cipher $cipher{$proto}");
                $line->(300000, "$q: to=<$_>, relay=$relay, $dl, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as X$q)") for @rcpts;
        } elsif ($kind eq "plain") {
                $line->(300000, "$q: to=<$_>, relay=$relay, $dl, dsn=2.0.0, status=sent (250 2.0.0 Ok)") for @rcpts;
        } elsif ($kind eq "badcert") {
                $line->(0, "Untrusted TLS connection established to $relay: TLSv1.2 with cipher $cipher{'TLSv1.2'}");
                $line->(300000, "$q: to=<$_>, relay=$relay, $dl, dsn=4.7.5, status=deferred (Server certificate not verified)") for @rcpts;
        } elsif ($kind eq "down") {
                $line->(100000, "$q: to=<$_>, relay=none, delay=30, delays=0.01/0/30/0, dsn=4.4.1, status=deferred (connect to $relay: Connection timed out)") for @rcpts;
        } elsif ($kind eq "nostarttls") {
                $line->(300000, "$q: to=<$_>, relay=$relay, $dl, dsn=4.7.4, status=deferred (TLS is required, but was not offered by host $mx\[$addr\])") for @rcpts;
        } else {
                $line->(0, "Trusted TLS connection established to $relay: TLSv1.2 with cipher $cipher{'TLSv1.2'}");
                $line->(300000, "$q: to=<$_>, relay=$relay, $dl, dsn=5.1.1, status=bounced (host $mx\[$addr\] said: 550 5.1.1 <$_>: Recipient address rejected: User unknown (in reply to RCPT TO command))") for @rcpts;
        }
}
print "$_\n" for @out;
