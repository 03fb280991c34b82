/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        make-store - fill an mxtls store with long synthetic history
 * SYNOPSIS
 *        make-store [--seed N] [--days N] [--domains N] [--per-day N] [--end-day YYYY-MM-DD] STORE
 * DESCRIPTION
 *        Writes daily aggregates for --days days ending --end-day (default:
 *        today, UTC) and every one of --domains destination domains (the same
 *        world as gen-journal for the same seed): about --per-day deliveries a
 *        day spread with Zipf popularity, every domain at least one delivery a
 *        day, split by MX, protocol, trust and outcome like the generated
 *        journal; plus the per-day evidence rows. Uses the store API only
 *        (store_open, store_begin, store_add_daily, store_add_evidence,
 *        store_commit), so the schema is whatever common/store_schema.c makes.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen.h"
#include "span.h"
#include "store.h"
#include "timeutil.h"

static const char *const protocol_names[] = { "", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3" };
static const char *const cert_words[] = { "Anonymous", "Untrusted", "Trusted" };

static const char *cipher_name(const GenMx *m) {
        static const char *const c13[] = { "TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
                                           "TLS_CHACHA20_POLY1305_SHA256" };
        static const char *const c12[] = { "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384",
                                           "ECDHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES256-GCM-SHA384" };

        switch (m->proto) {
        case PROTO_TLS13:
                return c13[m->suite % 3];
        case PROTO_TLS12:
                return m->cert == CERT_ANONYMOUS ? "ADH-AES256-GCM-SHA384" : c12[m->suite % 4];
        case PROTO_NONE:
                return "";
        default:
                return "ECDHE-RSA-AES256-SHA";
        }
}

static const char *level_text(const GenDomain *d, bool tls) {
        switch (d->level) {
        case LEVEL_NONE:
                return "none";
        case LEVEL_ENCRYPT:
                return tls ? "encrypt" : "!encrypt";
        case LEVEL_VERIFY:
                return tls ? "verify" : "!verify";
        case LEVEL_SECURE:
                return tls ? "secure" : "!secure";
        default:
                return !tls ? "may:none" : d->level == LEVEL_DANE && d->dane ? "dane" : "may";
        }
}

typedef struct Filler {
        Store *store;
        const char *host;
        uint64_t rows;
        uint64_t deliveries, tls, tls_fields;
} Filler;

static int add(Filler *f, const char *day, const GenDomain *d, const GenMx *m, bool tls, bool with_field,
               const char *outcome, const char *reason, uint64_t count) {
        DailyRow row = {
                .day = day,
                .host = f->host,
                .domain = d->name,
                .mx = m ? m->name : "",
                .protocol = tls ? protocol_names[m->proto] : "",
                .cipher = tls ? cipher_name(m) : "",
                .trust = !tls ? "" : (d->level == LEVEL_VERIFY || d->level == LEVEL_SECURE ||
                                      (d->level == LEVEL_DANE && d->dane)) ? "Verified" : cert_words[m->cert],
                .level = with_field ? level_text(d, tls || strcmp(outcome, "tls_failed") != 0) : "",
                .outcome = outcome,
                .reason = reason,
                .count = count,
        };
        int r;

        if (count == 0)
                return 0;
        r = store_add_daily(f->store, &row);
        if (r < 0)
                return r;
        f->rows++;
        if (strcmp(outcome, "tls") == 0 || strcmp(outcome, "plaintext") == 0)
                f->deliveries += count;
        if (strcmp(outcome, "tls") == 0)
                f->tls += count;
        if (with_field)
                f->tls_fields += count;
        return 0;
}

/* One domain on one day: most deliveries over TLS to the first MX, the rest spread out. */
static int fill_domain(Filler *f, Rng *r, const char *day, const GenDomain *d, double lambda, bool with_field) {
        uint64_t n = (uint64_t) llround(lambda * (0.7 + 0.6 * rng_unit(r)));
        const GenMx *m0 = &d->mx[0], *m1 = d->n_mx > 1 ? &d->mx[1] : &d->mx[0];
        uint64_t other, failed = 0, second;
        int k;

        if (n == 0)
                n = 1;
        other = n >= 20 ? n / 50 : 0;
        if (m0->flaky_tls && n >= 10)
                failed = n / 20;
        second = d->n_mx > 1 && n >= 10 ? n / 5 : 0;
        n -= other + failed + second;

        if (m0->proto == PROTO_NONE && (d->level == LEVEL_ENCRYPT || d->level == LEVEL_VERIFY ||
                                         d->level == LEVEL_SECURE))
                k = add(f, day, d, m0, false, with_field, "tls_failed", "starttls_not_offered", n);
        else if (m0->proto == PROTO_NONE || d->level == LEVEL_NONE)
                k = add(f, day, d, m0, false, with_field, "plaintext", "", n);
        else
                k = add(f, day, d, m0, true, with_field, "tls", "", n);
        if (k >= 0 && second > 0)
                k = add(f, day, d, m1, m1->proto != PROTO_NONE && d->level != LEVEL_NONE, with_field,
                        m1->proto != PROTO_NONE && d->level != LEVEL_NONE ? "tls" : "plaintext", "", second);
        if (k >= 0 && other > 0)
                k = add(f, day, d, m0, m0->proto != PROTO_NONE, with_field, "other_failed", "", other);
        if (k >= 0 && failed > 0)
                k = add(f, day, d, m0, false, with_field, "tls_failed", "handshake_failed", failed);
        return k;
}

static void help(FILE *out) {
        fprintf(out, "Usage: make-store [--seed N] [--days N] [--domains N] [--per-day N] "
                "[--end-day YYYY-MM-DD] STORE\n");
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "seed",    required_argument, NULL, 's' },
                { "days",    required_argument, NULL, 'd' },
                { "domains", required_argument, NULL, 'D' },
                { "per-day", required_argument, NULL, 'n' },
                { "end-day", required_argument, NULL, 'e' },
                { "help",    no_argument,       NULL, 'h' },
                { 0 }
        };
        uint64_t seed = 1, days = 400, n_domains = 5000, per_day = 25000;
        int64_t end_day = (int64_t) (time(NULL) / 86400);
        GenWorld w;
        Filler f = { .host = "mail01" };
        double harmonic = 0;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
                uint64_t *dst = NULL;

                switch (c) {
                case 's': dst = &seed; break;
                case 'd': dst = &days; break;
                case 'D': dst = &n_domains; break;
                case 'n': dst = &per_day; break;
                case 'e':
                        if (day_parse(optarg, &end_day) < 0) {
                                fprintf(stderr, "make-store: bad day: %s\n", optarg);
                                return 64;
                        }
                        break;
                case 'h': help(stdout); return EXIT_SUCCESS;
                default: help(stderr); return 64;
                }
                if (dst && parse_u64(optarg, dst) < 0) {
                        fprintf(stderr, "make-store: bad number: %s\n", optarg);
                        return 64;
                }
        }
        if (optind + 1 != argc || days == 0) {
                help(stderr);
                return 64;
        }
        r = world_build(&w, seed, n_domains, 1.0);
        if (r < 0) {
                fprintf(stderr, "make-store: cannot build the domains: %s\n", strerror(-r));
                return EXIT_FAILURE;
        }
        for (size_t i = 0; i < w.n_domains; i++)
                harmonic += 1.0 / (double) (i + 1);

        r = store_open(argv[optind], STORE_READ_WRITE, &f.store);
        if (r < 0) {
                fprintf(stderr, "make-store: cannot open %s: %s\n", argv[optind], strerror(-r));
                world_free(&w);
                return EXIT_FAILURE;
        }
        Rng rng;
        rng_seed(&rng, seed ^ 0x73746f7265ULL);
        for (uint64_t k = 0; k < days && r >= 0; k++) {
                int64_t day_num = end_day - (int64_t) days + 1 + (int64_t) k;
                bool with_field = days - k <= 120;     /* Postfix 3.11 for the last 120 days */
                char day[11];

                day_format(day_num, day);
                if (k % 10 == 0)
                        r = store_begin(f.store);
                f.deliveries = f.tls = f.tls_fields = 0;
                for (size_t i = 0; i < w.n_domains && r >= 0; i++)
                        r = fill_domain(&f, &rng, day, &w.domains[i],
                                        (double) per_day / harmonic / (double) (i + 1), with_field);
                if (r >= 0) {
                        EvidenceRow ev = {
                                .day = day, .host = f.host, .deliveries = f.deliveries,
                                .tls_lines = f.tls, .tls_fields = f.tls_fields,
                        };
                        r = store_add_evidence(f.store, &ev);
                }
                if (r >= 0 && (k % 10 == 9 || k + 1 == days))
                        r = store_commit(f.store);
        }
        if (r < 0) {
                fprintf(stderr, "make-store: cannot fill %s: %s\n", argv[optind], strerror(-r));
                (void) store_rollback(f.store);
        } else
                printf("make-store: %" PRIu64 " daily rows, %" PRIu64 " days x %zu domains\n", f.rows, days,
                       w.n_domains);
        f.store = store_close(f.store);
        world_free(&w);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
