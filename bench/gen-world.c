/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        gen-world - destination domains and the program table of the generator
 * SYNOPSIS
 *        #include "gen.h"
 *        int world_build(GenWorld *w, uint64_t seed, size_t n_domains, double zipf_s);
 *        size_t world_pick(const GenWorld *w, Rng *r);
 *        void programs_init(GenProgram progs[static _PROG_MAX], Rng *r);
 * DESCRIPTION
 *        Rank 0 is the most popular destination. The first ranks are large
 *        mailbox providers with their real MX naming, the rest are synthetic
 *        domains hosted at Google, Microsoft, a shared hosting provider or on
 *        their own servers, with the TLS properties of each kind of host.
 *        A handful of domains carry a policy table entry (secure, verify,
 *        encrypt, none), a few publish TLSA records, a few are broken on
 *        purpose (no STARTTLS under encrypt, certificate name mismatch under
 *        verify, one plaintext MX beside a TLS MX).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

typedef struct Provider {
        const char *domain;
        const char *mx[3];
        const char *net;                /* address prefix */
        uint8_t proto, suite, level;
        bool dane, google;
} Provider;

static const Provider providers[] = {
        { "gmail.com", { "gmail-smtp-in.l.google.com", "alt1.gmail-smtp-in.l.google.com", NULL },
          "142.250.", PROTO_TLS13, 0, LEVEL_SECURE, false, true },
        { "outlook.com", { "outlook-com.olc.protection.outlook.com", NULL, NULL },
          "52.101.", PROTO_TLS12, 0, LEVEL_ENCRYPT, false, false },
        { "hotmail.com", { "hotmail-com.olc.protection.outlook.com", NULL, NULL },
          "52.101.", PROTO_TLS12, 0, LEVEL_ENCRYPT, false, false },
        { "yahoo.com", { "mta5.am0.yahoodns.net", "mta6.am0.yahoodns.net", "mta7.am0.yahoodns.net" },
          "67.195.", PROTO_TLS13, 1, LEVEL_VERIFY, false, false },
        { "gmx.de", { "mx00.emig.gmx.net", "mx01.emig.gmx.net", NULL },
          "212.227.", PROTO_TLS13, 0, LEVEL_DANE, true, false },
        { "web.de", { "mx-ha03.web.de", "mx-ha02.web.de", NULL },
          "212.227.", PROTO_TLS13, 0, LEVEL_DANE, true, false },
        { "icloud.com", { "mx01.mail.icloud.com", "mx02.mail.icloud.com", NULL },
          "17.57.", PROTO_TLS12, 0, LEVEL_DANE, false, false },
        { "t-online.de", { "mx00.t-online.de", "mx01.t-online.de", NULL },
          "194.25.", PROTO_TLS13, 2, LEVEL_DANE, false, false },
        { "googlemail.com", { "gmail-smtp-in.l.google.com", "alt2.gmail-smtp-in.l.google.com", NULL },
          "142.251.", PROTO_TLS13, 0, LEVEL_SECURE, false, true },
        { "aol.com", { "mx-aol.mail.gm0.yahoodns.net", NULL, NULL },
          "67.195.", PROTO_TLS13, 1, LEVEL_DANE, false, false },
        { "live.com", { "live-com.olc.protection.outlook.com", NULL, NULL },
          "52.101.", PROTO_TLS12, 0, LEVEL_ENCRYPT, false, false },
        { "mailbox.org", { "mxext1.mailbox.org", "mxext2.mailbox.org", "mxext3.mailbox.org" },
          "80.241.", PROTO_TLS13, 0, LEVEL_DANE, true, false },
        { "posteo.de", { "mx01.posteo.de", "mx02.posteo.de", NULL },
          "185.67.", PROTO_TLS13, 0, LEVEL_DANE, true, false },
        { "proton.me", { "mail.protonmail.ch", "mailsec.protonmail.ch", NULL },
          "185.70.", PROTO_TLS13, 0, LEVEL_DANE, true, false },
        { "yandex.ru", { "mx.yandex.ru", NULL, NULL },
          "77.88.", PROTO_TLS13, 1, LEVEL_DANE, false, false },
        { "mail.ru", { "mxs.mail.ru", NULL, NULL },
          "94.100.", PROTO_TLS12, 2, LEVEL_DANE, false, false },
        { "orange.fr", { "smtp-in.orange.fr", NULL, NULL },
          "193.252.", PROTO_TLS12, 0, LEVEL_DANE, false, false },
        { "free.fr", { "mx1.free.fr", "mx2.free.fr", NULL },
          "212.27.", PROTO_TLS13, 0, LEVEL_DANE, false, false },
        { "comcast.net", { "mx1a1.comcast.net", "mx2c1.comcast.net", NULL },
          "96.114.", PROTO_TLS12, 0, LEVEL_DANE, false, false },
        { "freenet.de", { "mx.freenet.de", NULL, NULL },
          "195.4.", PROTO_TLS13, 0, LEVEL_DANE, false, false },
};

typedef struct Hoster {
        const char *mx[2];
        const char *net;
        uint8_t proto, suite, cert;
} Hoster;

static const Hoster hosters[] = {
        { { "mx00.ionos.de", "mx01.ionos.de" }, "217.72.", PROTO_TLS13, 0, CERT_TRUSTED },
        { { "mx.zoho.eu", "mx2.zoho.eu" }, "185.230.", PROTO_TLS12, 0, CERT_TRUSTED },
        { { "mx1.ovh.net", "mx2.ovh.net" }, "188.165.", PROTO_TLS12, 1, CERT_TRUSTED },
        { { "smtp.secureserver.net", "mailstore1.secureserver.net" }, "68.178.", PROTO_TLS12, 0, CERT_TRUSTED },
        { { "mx1.hostinger.com", "mx2.hostinger.com" }, "31.220.", PROTO_TLS13, 1, CERT_TRUSTED },
        { { "mx.one.com", NULL }, "46.30.", PROTO_TLS13, 0, CERT_TRUSTED },
        { { "mx1.mail.hostpoint.ch", "mx2.mail.hostpoint.ch" }, "217.26.", PROTO_TLS13, 2, CERT_TRUSTED },
        { { "mx01.kundenserver.de", "mx00.kundenserver.de" }, "212.227.", PROTO_TLS13, 0, CERT_TRUSTED },
        { { "mx.strato.de", NULL }, "85.215.", PROTO_TLS12, 3, CERT_TRUSTED },
        { { "mail.messagingengine.com", NULL }, "103.168.", PROTO_TLS13, 0, CERT_TRUSTED },
        { { "mx1.mxrouting.net", "mx2.mxrouting.net" }, "23.94.", PROTO_TLS12, 0, CERT_UNTRUSTED },
        { { "mx.plesk-host.example.net", NULL }, "91.198.", PROTO_TLS10, 0, CERT_UNTRUSTED },
};

static const char *const tlds[] = {
        "com", "com", "com", "com", "com", "com", "com", "com", "de", "de", "de", "net", "net",
        "org", "org", "fr", "nl", "co.uk", "it", "es", "ch", "at", "io", "se", "pl", "be",
};

static const char *const syllables[] = {
        "ka", "lo", "mi", "ber", "ton", "stein", "ville", "na", "ro", "tek", "sol", "ver",
        "al", "mar", "den", "lin", "gra", "fel", "or", "bau", "quin", "zen", "hof", "dal",
        "west", "nord", "sun", "ray", "pix", "data", "net", "mo", "ri", "sa", "ten", "val",
};

static const char *const ipv4_first[] = {
        "5", "31", "37", "46", "62", "77", "78", "81", "82", "85", "88", "91", "94", "109",
        "176", "178", "185", "188", "193", "194", "195", "212", "213", "217",
};

/* gen_word - a pronounceable lower-case word of min..max syllables */
void gen_word(Rng *r, char *buf, size_t bufsz, unsigned min_syll, unsigned max_syll) {
        unsigned n = (unsigned) rng_range(r, min_syll, max_syll);
        size_t len = 0;

        buf[0] = '\0';
        for (unsigned i = 0; i < n; i++) {
                const char *s = syllables[rng_below(r, sizeof(syllables) / sizeof(syllables[0]))];
                size_t l = strlen(s);

                if (len + l + 1 > bufsz)
                        break;
                memcpy(buf + len, s, l + 1);
                len += l;
        }
}

static void gen_ipv4(Rng *r, const char *net, char *buf, size_t bufsz) {
        if (net) {
                int dots = 0;

                for (const char *p = net; *p; p++)
                        dots += *p == '.';
                if (dots == 3)
                        snprintf(buf, bufsz, "%s%u", net, (unsigned) rng_range(r, 1, 254));
                else
                        snprintf(buf, bufsz, "%s%u.%u", net, (unsigned) rng_below(r, 256),
                                 (unsigned) rng_range(r, 1, 254));
        } else
                snprintf(buf, bufsz, "%s.%u.%u.%u",
                         ipv4_first[rng_below(r, sizeof(ipv4_first) / sizeof(ipv4_first[0]))],
                         (unsigned) rng_below(r, 256), (unsigned) rng_below(r, 256),
                         (unsigned) rng_range(r, 1, 254));
}

static uint64_t fnv1a(const char *s) {
        uint64_t h = 0xcbf29ce484222325ULL;

        for (; *s; s++)
                h = (h ^ (unsigned char) *s) * 0x100000001b3ULL;
        return h;
}

/* Open-addressing set of names, to keep generated domains unique. */
typedef struct NameSet {
        const char **slots;
        size_t mask;
} NameSet;

static bool nameset_add(NameSet *s, const char *name) {
        size_t i = fnv1a(name) & s->mask;

        while (s->slots[i]) {
                if (strcmp(s->slots[i], name) == 0)
                        return false;
                i = (i + 1) & s->mask;
        }
        s->slots[i] = name;
        return true;
}

static uint8_t pick_self_hosted_proto(Rng *r) {
        double x = rng_unit(r);

        return x < 0.55 ? PROTO_TLS13 : x < 0.88 ? PROTO_TLS12 : x < 0.90 ? PROTO_TLS11 :
               x < 0.93 ? PROTO_TLS10 : PROTO_NONE;
}

static void build_synthetic(GenDomain *d, Rng *r) {
        double kind = rng_unit(r);

        if (kind < 0.30) {
                /* Google Workspace */
                static const char *const g[] = { "aspmx.l.google.com", "alt1.aspmx.l.google.com",
                                                 "alt2.aspmx.l.google.com" };
                d->n_mx = 3;
                for (unsigned i = 0; i < 3; i++) {
                        snprintf(d->mx[i].name, sizeof d->mx[i].name, "%s", g[i]);
                        snprintf(d->mx[i].addr, sizeof d->mx[i].addr, "142.250.%u.%u", 100 + i * 4,
                                 26 + i);
                        d->mx[i].proto = PROTO_TLS13;
                        d->mx[i].cert = CERT_TRUSTED;
                }
                d->status_google = true;
        } else if (kind < 0.52) {
                /* Microsoft 365: name-with-dashes.mail.protection.outlook.com */
                char host[64];

                snprintf(host, sizeof host, "%s", d->name);
                for (char *p = host; *p; p++)
                        if (*p == '.')
                                *p = '-';
                d->n_mx = 1;
                snprintf(d->mx[0].name, sizeof d->mx[0].name, "%s.mail.protection.outlook.com", host);
                gen_ipv4(r, "52.101.", d->mx[0].addr, sizeof d->mx[0].addr);
                d->mx[0].proto = PROTO_TLS12;
                d->mx[0].cert = CERT_TRUSTED;
        } else if (kind < 0.64) {
                const Hoster *h = &hosters[rng_below(r, sizeof(hosters) / sizeof(hosters[0]))];

                d->n_mx = h->mx[1] ? 2 : 1;
                for (unsigned i = 0; i < d->n_mx; i++) {
                        snprintf(d->mx[i].name, sizeof d->mx[i].name, "%s", h->mx[i]);
                        /* the same hoster MX always has the same address */
                        Rng hr;
                        rng_seed(&hr, fnv1a(h->mx[i]));
                        gen_ipv4(&hr, h->net, d->mx[i].addr, sizeof d->mx[i].addr);
                        d->mx[i].proto = h->proto;
                        d->mx[i].suite = h->suite;
                        d->mx[i].cert = h->cert;
                }
        } else {
                /* own servers */
                bool v6 = rng_chance(r, 0.12);
                uint8_t proto = pick_self_hosted_proto(r);
                double c = rng_unit(r);
                uint8_t cert = c < 0.58 ? CERT_TRUSTED : c < 0.95 ? CERT_UNTRUSTED : CERT_ANONYMOUS;

                d->n_mx = rng_chance(r, 0.4) ? 2 : 1;
                for (unsigned i = 0; i < d->n_mx; i++) {
                        GenMx *m = &d->mx[i];

                        snprintf(m->name, sizeof m->name, "%s%s.%s", rng_chance(r, 0.5) ? "mx" : "mail",
                                 d->n_mx > 1 ? (i == 0 ? "1" : "2") : "", d->name);
                        if (v6)
                                snprintf(m->addr, sizeof m->addr, "2a01:4f8:%x:%x::%x",
                                         (unsigned) rng_range(r, 0x100, 0xfff),
                                         (unsigned) rng_range(r, 0x1000, 0xffff),
                                         (unsigned) rng_range(r, 2, 0xff));
                        else
                                gen_ipv4(r, NULL, m->addr, sizeof m->addr);
                        m->proto = proto;
                        m->cert = cert;
                        m->suite = (uint8_t) rng_below(r, 4);
                        m->flaky_tls = rng_chance(r, 0.03);
                        m->flaky_connect = rng_chance(r, 0.05);
                }
                if (cert == CERT_ANONYMOUS && proto != PROTO_NONE)
                        for (unsigned i = 0; i < d->n_mx; i++)
                                d->mx[i].proto = PROTO_TLS12;
                /* mixed: the backup MX speaks no STARTTLS */
                if (d->n_mx == 2 && proto != PROTO_NONE && rng_chance(r, 0.08)) {
                        d->mx[1].proto = PROTO_NONE;
                        d->mx[0].flaky_connect = true;
                }
                d->dane = proto != PROTO_NONE && cert != CERT_ANONYMOUS &&
                          d->mx[d->n_mx - 1].proto != PROTO_NONE && rng_chance(r, 0.06);
        }
}

/* world_build - n_domains destinations with Zipf(zipf_s) popularity */
int world_build(GenWorld *w, uint64_t seed, size_t n_domains, double zipf_s) {
        size_t np = sizeof(providers) / sizeof(providers[0]);
        NameSet set = { 0 };
        size_t setsz = 1;
        Rng r;
        double sum = 0;

        if (n_domains < np + 50)
                return -EINVAL;
        rng_seed(&r, seed ^ 0x776f726c64ULL);
        *w = (GenWorld) { 0 };
        w->domains = calloc(n_domains, sizeof(GenDomain));
        w->cdf = calloc(n_domains, sizeof(double));
        while (setsz < n_domains * 4)
                setsz <<= 1;
        set.slots = calloc(setsz, sizeof(char *));
        set.mask = setsz - 1;
        if (!w->domains || !w->cdf || !set.slots) {
                free(set.slots);
                world_free(w);
                return -ENOMEM;
        }
        w->n_domains = n_domains;

        for (size_t i = 0; i < n_domains; i++) {
                GenDomain *d = &w->domains[i];

                d->level = LEVEL_DANE;          /* smtp_tls_security_level = dane */
                if (i < np) {
                        const Provider *p = &providers[i];

                        snprintf(d->name, sizeof d->name, "%s", p->domain);
                        for (unsigned k = 0; k < 3 && p->mx[k]; k++) {
                                GenMx *m = &d->mx[k];

                                snprintf(m->name, sizeof m->name, "%s", p->mx[k]);
                                gen_ipv4(&r, p->net, m->addr, sizeof m->addr);
                                m->proto = p->proto;
                                m->suite = p->suite;
                                m->cert = CERT_TRUSTED;
                                d->n_mx = (uint8_t) (k + 1);
                        }
                        d->level = p->level;
                        d->dane = p->dane;
                        d->status_google = p->google;
                } else {
                        char a[20], b[12];       /* 3 and 2 syllables of at most 6 letters */

                        do {
                                gen_word(&r, a, sizeof a, 2, 3);
                                if (rng_chance(&r, 0.2)) {
                                        gen_word(&r, b, sizeof b, 1, 2);
                                        snprintf(d->name, sizeof d->name, "%s-%s.%s", a, b,
                                                 tlds[rng_below(&r, sizeof(tlds) / sizeof(tlds[0]))]);
                                } else
                                        snprintf(d->name, sizeof d->name, "%s%u.%s", a,
                                                 (unsigned) rng_below(&r, 100),
                                                 tlds[rng_below(&r, sizeof(tlds) / sizeof(tlds[0]))]);
                        } while (!nameset_add(&set, d->name));
                        build_synthetic(d, &r);
                        d->relay = i > 40 && rng_chance(&r, 0.03);
                }
                if (i < np)
                        (void) nameset_add(&set, d->name);
                d->tlsproxy = i < 25;
                sum += 1.0 / pow((double) (i + 1), zipf_s);
                w->cdf[i] = sum;
        }
        for (size_t i = 0; i < n_domains; i++)
                w->cdf[i] /= sum;

        /* Policy table entries and deliberately broken destinations. */
        for (size_t i = np; i < n_domains; i += 97) {
                GenDomain *d = &w->domains[i];
                unsigned k = (unsigned) (i / 97) % 8;

                if (d->mx[0].proto == PROTO_NONE)
                        d->level = LEVEL_NONE;
                else if (k < 3)
                        d->level = LEVEL_ENCRYPT;
                else if (k == 3 && d->mx[0].cert == CERT_TRUSTED)
                        d->level = LEVEL_VERIFY;
                else if (k == 4)
                        d->level = LEVEL_NONE;
        }
        {
                /* encrypt in the policy table, but the server offers no STARTTLS */
                GenDomain *d = &w->domains[np + 31];

                d->level = LEVEL_ENCRYPT;
                d->dane = false;
                d->status_google = false;
                d->n_mx = 1;
                d->mx[0] = (GenMx) { .proto = PROTO_NONE, .cert = CERT_UNTRUSTED };
                snprintf(d->mx[0].name, sizeof d->mx[0].name, "mx.%s", d->name);
                gen_ipv4(&r, NULL, d->mx[0].addr, sizeof d->mx[0].addr);

                /* verify in the policy table, the backup MX has a certificate for another name */
                d = &w->domains[np + 47];
                d->level = LEVEL_VERIFY;
                d->dane = false;
                d->status_google = false;
                d->n_mx = 2;
                for (unsigned k = 0; k < 2; k++) {
                        d->mx[k] = (GenMx) { .proto = PROTO_TLS12, .cert = CERT_TRUSTED, .suite = 0 };
                        snprintf(d->mx[k].name, sizeof d->mx[k].name, "mx%u.%s", k + 1, d->name);
                        gen_ipv4(&r, NULL, d->mx[k].addr, sizeof d->mx[k].addr);
                }
                d->mx[1].name_mismatch = true;
                d->mx[0].flaky_connect = true;
        }
        free(set.slots);
        return 0;
}

/* world_free - release the world */
void world_free(GenWorld *w) {
        free(w->domains);
        free(w->cdf);
        *w = (GenWorld) { 0 };
}

/* world_pick - a domain index drawn from the Zipf distribution */
size_t world_pick(const GenWorld *w, Rng *r) {
        double x = rng_unit(r);
        size_t lo = 0, hi = w->n_domains - 1;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (w->cdf[mid] < x)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

static void hex_id(Rng *r, char buf[static 33]) {
        static const char hex[] = "0123456789abcdef";

        for (unsigned i = 0; i < 32; i++)
                buf[i] = hex[rng_below(r, 16)];
        buf[32] = '\0';
}

/* programs_init - identifiers and trusted fields of every process kind */
void programs_init(GenProgram progs[static _PROG_MAX], Rng *r) {
        static const struct {
                const char *name, *comm, *cmdline;
        } svc[_PROG_POSTFIX_MAX] = {
                [PROG_SMTP]       = { "smtp", "smtp", "smtp -t unix -u -c" },
                [PROG_RELAY_SMTP] = { "relay/smtp", "smtp", "smtp -t unix -u -c -o syslog_name=postfix/relay" },
                [PROG_QMGR]       = { "qmgr", "qmgr", "qmgr -l -t unix -u" },
                [PROG_CLEANUP]    = { "cleanup", "cleanup", "cleanup -z -t unix -u -c" },
                [PROG_SMTPD]      = { "smtpd", "smtpd", "smtpd -n smtp -t inet -u -c -o stress=" },
                [PROG_PICKUP]     = { "pickup", "pickup", "pickup -l -t unix -u -c" },
                [PROG_TLSPROXY]   = { "tlsproxy", "tlsproxy", "tlsproxy -t unix -u -c" },
                [PROG_BOUNCE]     = { "bounce", "bounce", "bounce -z -t unix -u -c" },
        };
        static char idents[_INST_MAX][_PROG_POSTFIX_MAX][48];
        static char exes[_PROG_POSTFIX_MAX][64];
        char inv[_INST_MAX][33];

        for (unsigned i = 0; i < _INST_MAX; i++)
                hex_id(r, inv[i]);
        for (unsigned i = 0; i < _INST_MAX; i++)
                for (unsigned p = 0; p < _PROG_POSTFIX_MAX; p++) {
                        GenProgram *g = &progs[PROG_ID(i, p)];

                        snprintf(idents[i][p], sizeof idents[i][p], "%s/%s",
                                 i == INST_MAIN ? "postfix" : "postfix-out", svc[p].name);
                        snprintf(exes[p], sizeof exes[p], "/usr/lib/postfix/sbin/%s", svc[p].comm);
                        *g = (GenProgram) {
                                .identifier = idents[i][p],
                                .comm = svc[p].comm,
                                .exe = exes[p],
                                .cmdline = svc[p].cmdline,
                                .unit = i == INST_MAIN ? "postfix@-.service" : "postfix@postfix-out.service",
                                .cgroup = i == INST_MAIN ?
                                        "/system.slice/system-postfix.slice/postfix@-.service" :
                                        "/system.slice/system-postfix.slice/postfix@postfix-out.service",
                                .slice = "system-postfix.slice",
                                .uid = 107,
                                .gid = 114,
                        };
                        memcpy(g->invocation, inv[i], sizeof g->invocation);
                }
        progs[PROG_CRON] = (GenProgram) {
                .identifier = "CRON", .comm = "cron", .exe = "/usr/sbin/cron", .cmdline = "/usr/sbin/cron -f",
                .unit = "cron.service", .cgroup = "/system.slice/cron.service", .slice = "system.slice",
        };
        progs[PROG_SSHD] = (GenProgram) {
                .identifier = "sshd", .comm = "sshd", .exe = "/usr/sbin/sshd", .cmdline = "sshd: [accepted]",
                .unit = "ssh.service", .cgroup = "/system.slice/ssh.service", .slice = "system.slice",
        };
        progs[PROG_SYSTEMD] = (GenProgram) {
                .identifier = "systemd", .comm = "systemd", .exe = "/usr/lib/systemd/systemd",
                .cmdline = "/sbin/init", .unit = "init.scope", .cgroup = "/init.scope", .slice = "-.slice",
        };
        for (unsigned p = PROG_CRON; p < _PROG_MAX; p++)
                hex_id(r, progs[p].invocation);
}
