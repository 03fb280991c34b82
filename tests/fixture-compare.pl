#!/usr/bin/perl
# SPDX-License-Identifier: MIT
# fixture-compare.pl - expected and reported counts in one comparable form.
#
#   fixture-compare.pl expect FIXTURE...   counts from the "#expect" lines
#   fixture-compare.pl report REPORT.json  counts from `mxtls report --format json`
#
# An expectation line stands before the delivery record(s) it describes:
#
#   #expect DOMAIN KIND [n=N] [proto=P] [trust=T] [level=L] [reason=R]
#
# KIND is tls, plaintext, tls_failed, other_failed or internal (a hop to a
# local filter, never counted for the domain). Both modes print sorted lines
#
#   total KIND N                    domain D KIND N          (KIND also delivered)
#   total internal N
#   domain D failure REASON N       domain D level LEVEL N
#   domain D protocol P N           domain D trust T N
#
# leaving out zero counts. Protocol and trust are compared for encrypted
# deliveries, in domains without failed deliveries.
use strict;
use warnings;

my @kinds = qw(tls plaintext tls_failed other_failed);
my %out;

sub add {
        my ($key, $n) = @_;
        $out{$key} += $n;
}

sub expect {
        my %failed;
        my @rows;
        for my $file (@_) {
                open my $fh, "<", $file or die "$file: $!\n";
                while (<$fh>) {
                        next unless /^#expect\s+(\S+)\s+(\S+)((?:\s+\S+=\S*)*)\s*$/;
                        my ($domain, $kind, $rest) = ($1, $2, $3);
                        my %a = map { split /=/, $_, 2 } grep { length } split /\s+/, $rest;
                        die "$file:$.: unknown kind $kind\n"
                                unless grep { $_ eq $kind } @kinds, "internal";
                        $a{n} //= 1;
                        push @rows, [$domain, $kind, \%a];
                        $failed{$domain} = 1 if $kind =~ /failed/;
                }
        }
        for my $r (@rows) {
                my ($domain, $kind, $a) = @$r;
                my $n = $a->{n};
                add("total internal", $n) if $kind eq "internal";
                next if $kind eq "internal";
                add("total $kind", $n);
                add("domain $domain $kind", $n);
                add("total delivered", $n) if $kind eq "tls" || $kind eq "plaintext";
                add("domain $domain delivered", $n) if $kind eq "tls" || $kind eq "plaintext";
                add("domain $domain failure $a->{reason}", $n) if defined $a->{reason};
                add("domain $domain level $a->{level}", $n) if defined $a->{level} && $a->{level} ne "";
                next if $kind ne "tls" || $failed{$domain};
                add("domain $domain protocol $a->{proto}", $n) if defined $a->{proto};
                add("domain $domain trust $a->{trust}", $n) if defined $a->{trust};
        }
}

sub report {
        my ($file) = @_;
        require JSON::PP;
        open my $fh, "<", $file or die "$file: $!\n";
        local $/;
        my $j = JSON::PP::decode_json(<$fh>);
        for my $k (@kinds, "delivered") {
                add("total $k", $j->{totals}{$k} // 0);
        }
        add("total internal", $j->{internal} // 0);
        for my $d (@{$j->{domains}}) {
                my $name = $d->{domain};
                my $failed = ($d->{tls_failed} // 0) + ($d->{other_failed} // 0) > 0;
                add("domain $name $_", $d->{$_} // 0) for @kinds, "delivered";
                add("domain $name failure $_", $d->{tls_failures}{$_}) for keys %{$d->{tls_failures} // {}};
                for (keys %{$d->{by_level} // {}}) {
                        add("domain $name level $_", $d->{by_level}{$_}) if $_ ne "";
                }
                next if $failed;
                for (keys %{$d->{by_protocol} // {}}) {
                        add("domain $name protocol $_", $d->{by_protocol}{$_}) if $_ ne "";
                }
                for (keys %{$d->{by_trust} // {}}) {
                        add("domain $name trust $_", $d->{by_trust}{$_}) if $_ ne "";
                }
        }
}

my $mode = shift @ARGV // "";
if ($mode eq "expect") {
        expect(@ARGV);
} elsif ($mode eq "report") {
        report($ARGV[0]);
} else {
        die "usage: fixture-compare.pl expect FIXTURE... | report REPORT.json\n";
}
for my $k (sort keys %out) {
        print "$k $out{$k}\n" if $out{$k};
}
