/* SPDX-License-Identifier: MIT */
/*
 * NAME
 *        test-vocab - name_code tables and the vocabulary: round trips, case rules,
 *        every word the parsers, templates, policy checks and formats use
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cleanup.h"
#include "name_code.h"
#include "vocab.h"

enum { COLOR_RED, COLOR_GREEN, COLOR_EMPTY, COLOR_NOT_FOUND = -1 };

static const NameCode colors[] = {
        { "red",   COLOR_RED },
        { "green", COLOR_GREEN },
        { "Rot",   COLOR_RED },             /* alias: never printed */
        { "",      COLOR_EMPTY },
        { NULL,    COLOR_NOT_FOUND },
};

static void test_name_code(void **state) {
        static const struct {
                const char *name;
                size_t n;                       /* SIZE_MAX = strlen */
                NameCodeFlags flags;
                int want;
        } rows[] = {
                { "red", SIZE_MAX, NAME_CODE_EXACT, COLOR_RED },
                { "Rot", SIZE_MAX, NAME_CODE_EXACT, COLOR_RED },
                { "RED", SIZE_MAX, NAME_CODE_EXACT, COLOR_NOT_FOUND },
                { "RED", SIZE_MAX, NAME_CODE_ANY_CASE, COLOR_RED },
                { "gReEn", SIZE_MAX, NAME_CODE_ANY_CASE, COLOR_GREEN },
                { "", SIZE_MAX, NAME_CODE_EXACT, COLOR_EMPTY },
                { "re", SIZE_MAX, NAME_CODE_ANY_CASE, COLOR_NOT_FOUND },
                { "reds", SIZE_MAX, NAME_CODE_EXACT, COLOR_NOT_FOUND },
                { "redgreen", 3, NAME_CODE_EXACT, COLOR_RED },  /* a span: no NUL needed */
                { "greenish", 5, NAME_CODE_EXACT, COLOR_GREEN },
                { "red\0x", 5, NAME_CODE_EXACT, COLOR_NOT_FOUND },
                { "red", 0, NAME_CODE_EXACT, COLOR_EMPTY },
                { "blue", SIZE_MAX, NAME_CODE_ANY_CASE, COLOR_NOT_FOUND },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                int got = rows[i].n == SIZE_MAX ? name_code(colors, rows[i].flags, rows[i].name)
                                                : name_code_n(colors, rows[i].flags, rows[i].name, rows[i].n);
                if (got != rows[i].want)
                        fail_msg("row %zu \"%s\": got %d, want %d", i, rows[i].name, got, rows[i].want);
        }
        assert_int_equal(name_code(colors, NAME_CODE_EXACT, NULL), COLOR_NOT_FOUND);
        assert_int_equal(name_code_n(colors, NAME_CODE_EXACT, NULL, 0), COLOR_EMPTY);
        assert_int_equal(name_code_n(colors, NAME_CODE_EXACT, NULL, 3), COLOR_NOT_FOUND);
        assert_string_equal(name_code_str(colors, COLOR_RED), "red");     /* the first name */
        assert_string_equal(name_code_str(colors, COLOR_EMPTY), "");
        assert_null(name_code_str(colors, COLOR_NOT_FOUND));
        assert_null(name_code_str(colors, 42));
}

/* The names each concept had before the vocabulary existed, in code order:
 * collector/parse.c, collector/correlate.c, advisor/template.c. */
static const char *const outcome_words[] = { "tls", "plaintext", "tls_failed", "other_failed", "internal" };
static const char *const reason_words[] = {
        "", "starttls_not_offered", "starttls_refused", "tls_unavailable", "handshake_failed",
        "cert_not_verified", "policy_lookup_failed", "dane_failed", "requiretls_failed", "sts_failed",
        "policy_violated",
};
static const char *const trust_words[] = { "", "Anonymous", "Untrusted", "Trusted", "Verified" };
static const char *const protocol_words[] = { "SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3" };
static const char *const level_words[] = {
        "", "none", "may", "encrypt", "fingerprint", "halfdane", "dane", "dane-only", "verify", "secure",
        "unknown",
};
static const char *const requiretls_words[] = {
        "", "requiretls", "nocertmatch", "nostarttls", "noencryption", "none",
};

static void test_outcome_and_reason_round_trips(void **state) {
        assert_int_equal(ELEMENTSOF(outcome_words), _OUTCOME_KIND_MAX);
        for (int k = 0; k < _OUTCOME_KIND_MAX; k++) {
                assert_string_equal(outcome_kind_to_string((OutcomeKind) k), outcome_words[k]);
                assert_int_equal(outcome_kind_from_string(outcome_words[k]), k);
                assert_int_equal(outcome_kind_from_string_n(outcome_words[k], strlen(outcome_words[k])), k);
        }
        assert_null(outcome_kind_to_string(_OUTCOME_KIND_MAX));
        assert_null(outcome_kind_to_string(_OUTCOME_KIND_INVALID));
        assert_int_equal(outcome_kind_from_string("TLS"), _OUTCOME_KIND_INVALID);
        assert_int_equal(outcome_kind_from_string(""), _OUTCOME_KIND_INVALID);
        assert_int_equal(outcome_kind_from_string(NULL), _OUTCOME_KIND_INVALID);
        assert_int_equal(outcome_kind_from_string_n("tls_failed", 3), OUTCOME_TLS);

        assert_int_equal(ELEMENTSOF(reason_words), _FAIL_REASON_MAX);
        for (int r = 0; r < _FAIL_REASON_MAX; r++) {
                assert_string_equal(fail_reason_to_string((FailReason) r), reason_words[r]);
                assert_int_equal(fail_reason_from_string(reason_words[r]), r);
                assert_int_equal(fail_reason_from_string_n(reason_words[r], strlen(reason_words[r])), r);
        }
        assert_null(fail_reason_to_string(_FAIL_REASON_MAX));
        assert_int_equal(fail_reason_from_string("Handshake_Failed"), _FAIL_REASON_INVALID);
        assert_int_equal(fail_reason_from_string(NULL), _FAIL_REASON_INVALID);
}

static void test_trust(void **state) {
        size_t longest = 0;

        assert_int_equal(ELEMENTSOF(trust_words), _TRUST_MAX);
        for (int t = 0; t < _TRUST_MAX; t++) {
                const char *w = trust_words[t];

                if (strlen(trust_to_string((Trust) t)) > longest)
                        longest = strlen(trust_to_string((Trust) t));
                assert_string_equal(trust_to_string((Trust) t), w);
                assert_int_equal(trust_from_string(w), t);
                assert_int_equal(trust_from_string_n(w, strlen(w)), t);
        }
        /* Postfix writes the words capitalised; nothing else is a trust word */
        assert_int_equal(trust_from_string("verified"), _TRUST_INVALID);
        assert_int_equal(trust_from_string("VERIFIED"), _TRUST_INVALID);
        assert_int_equal(trust_from_string_n("Verified TLS", 8), TRUST_VERIFIED);
        assert_int_equal(trust_from_string_n("Verifie", 7), _TRUST_INVALID);
        assert_int_equal(trust_from_string(NULL), _TRUST_INVALID);
        assert_null(trust_to_string(_TRUST_MAX));
        assert_int_equal(longest, TRUST_NAME_MAX);      /* parse_tls.c reads at most that much */
}

static void test_protocols(void **state) {
        static const char *const labels[] = { NULL, NULL, "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3" };

        assert_int_equal(ELEMENTSOF(protocol_words), _TLS_PROTOCOL_MAX);
        for (int p = 0; p < _TLS_PROTOCOL_MAX; p++) {
                assert_string_equal(tls_protocol_to_string((TlsProtocol) p), protocol_words[p]);
                assert_int_equal(tls_protocol_from_string(protocol_words[p]), p);
                assert_int_equal(tls_protocol_from_string_n(protocol_words[p], strlen(protocol_words[p])), p);
                assert_int_equal(tls_protocol_rank(protocol_words[p]), p);
                if (labels[p])
                        assert_string_equal(tls_protocol_label((TlsProtocol) p), labels[p]);
                else
                        assert_null(tls_protocol_label((TlsProtocol) p));
                assert_int_equal(tls_protocol_is_weak((TlsProtocol) p), p < TLS_PROTOCOL_TLSV1_2);
        }
        assert_null(tls_protocol_to_string(_TLS_PROTOCOL_MAX));
        assert_null(tls_protocol_label(_TLS_PROTOCOL_MAX));
        assert_null(tls_protocol_label(_TLS_PROTOCOL_INVALID));
        assert_false(tls_protocol_is_weak(_TLS_PROTOCOL_INVALID));
        assert_int_equal(tls_protocol_rank("tlsv1.2"), -1);
        assert_int_equal(tls_protocol_rank("TLSv1.4"), -1);
        assert_int_equal(tls_protocol_rank(""), -1);
        assert_int_equal(tls_protocol_rank(NULL), -1);
        assert_int_equal(tls_protocol_from_string("TLSv1.0"), _TLS_PROTOCOL_INVALID);
        assert_int_equal(tls_protocol_from_string_n("TLSv1.3 with cipher", 7), TLS_PROTOCOL_TLSV1_3);
}

static void test_tls_level_words(void **state) {
        assert_int_equal(ELEMENTSOF(level_words), _TLS_LEVEL_MAX);
        for (int l = 0; l < _TLS_LEVEL_MAX; l++) {
                const char *w = level_words[l];

                assert_string_equal(tls_level_to_string((TlsLevel) l), w);
                assert_int_equal(tls_level_from_string(w), l);
                assert_int_equal(tls_level_from_string_n(w, strlen(w)), l);
        }
        /* tls= words are written in lower case by Postfix */
        assert_int_equal(tls_level_from_string("MAY"), _TLS_LEVEL_INVALID);
        assert_int_equal(tls_level_from_string_n("dane-only?", 9), TLS_LEVEL_DANE_ONLY);
        assert_int_equal(tls_level_from_string_n("dane-only?", 4), TLS_LEVEL_DANE);
        assert_int_equal(tls_level_from_string(NULL), _TLS_LEVEL_INVALID);
        assert_null(tls_level_to_string(_TLS_LEVEL_MAX));

        assert_int_equal(ELEMENTSOF(requiretls_words), _REQUIRETLS_MAX);
        for (int r = 0; r < _REQUIRETLS_MAX; r++) {
                const char *w = requiretls_words[r];

                assert_string_equal(requiretls_to_string((RequireTls) r), w);
                assert_int_equal(requiretls_from_string(w), r);
                assert_int_equal(requiretls_from_string_n(w, strlen(w)), r);
        }
        assert_int_equal(requiretls_from_string("RequireTLS"), _REQUIRETLS_INVALID);
        assert_int_equal(requiretls_from_string(NULL), _REQUIRETLS_INVALID);
        assert_null(requiretls_to_string(_REQUIRETLS_MAX));
}

/* Configured levels: what smtp(8) accepts in main.cf and policy tables, in any case
 * (Postfix tls_level_lookup() through name_code() without STRICT_CASE). */
static void test_tls_level_lookup(void **state) {
        static const struct {
                const char *word;
                TlsLevel want;
                int rank;
        } rows[] = {
                { "none", TLS_LEVEL_NONE, 0 },
                { "may", TLS_LEVEL_MAY, 1 },
                { "dane", TLS_LEVEL_DANE, 2 },
                { "encrypt", TLS_LEVEL_ENCRYPT, 3 },
                { "verify", TLS_LEVEL_VERIFY, 4 },
                { "secure", TLS_LEVEL_SECURE, 5 },
                { "dane-only", TLS_LEVEL_DANE_ONLY, 5 },
                { "fingerprint", TLS_LEVEL_FINGERPRINT, 6 },
                { "ENCRYPT", TLS_LEVEL_ENCRYPT, 3 },
                { "May", TLS_LEVEL_MAY, 1 },
                { "Dane-Only", TLS_LEVEL_DANE_ONLY, 5 },
                { "halfdane", _TLS_LEVEL_INVALID, -1 },         /* output only */
                { "unknown", _TLS_LEVEL_INVALID, -1 },
                { "", _TLS_LEVEL_INVALID, -1 },
                { "bogus", _TLS_LEVEL_INVALID, -1 },
                { "may:none", _TLS_LEVEL_INVALID, -1 },
                { NULL, _TLS_LEVEL_INVALID, -1 },
        };
        for (size_t i = 0; i < ELEMENTSOF(rows); i++) {
                TlsLevel got = tls_level_lookup(rows[i].word);
                int rank = tls_level_rank(rows[i].word);

                if (got != rows[i].want || rank != rows[i].rank)
                        fail_msg("\"%s\": got %d rank %d, want %d rank %d", rows[i].word ? rows[i].word : "(null)",
                                 got, rank, rows[i].want, rows[i].rank);
        }
}

static void test_tls_level_meaning(void **state) {
        static const struct {
                TlsLevel level;
                unsigned flags;
        } rows[] = {
                { TLS_LEVEL_NONE_SET, 0 },
                { TLS_LEVEL_NONE, TLS_LEVEL_TABLE },
                { TLS_LEVEL_MAY, TLS_LEVEL_TABLE },
                { TLS_LEVEL_ENCRYPT, TLS_LEVEL_TABLE | TLS_LEVEL_REQUIRED },
                { TLS_LEVEL_FINGERPRINT, TLS_LEVEL_TABLE | TLS_LEVEL_REQUIRED | TLS_LEVEL_CERT_MATCH |
                                         TLS_LEVEL_MATCH_ATTR },
                { TLS_LEVEL_HALFDANE, 0 },
                { TLS_LEVEL_DANE, TLS_LEVEL_TABLE },
                { TLS_LEVEL_DANE_ONLY, TLS_LEVEL_TABLE | TLS_LEVEL_REQUIRED | TLS_LEVEL_CERT_MATCH },
                { TLS_LEVEL_VERIFY, TLS_LEVEL_TABLE | TLS_LEVEL_REQUIRED | TLS_LEVEL_CERT_MATCH |
                                    TLS_LEVEL_MATCH_ATTR | TLS_LEVEL_PKIX },
                { TLS_LEVEL_SECURE, TLS_LEVEL_TABLE | TLS_LEVEL_REQUIRED | TLS_LEVEL_CERT_MATCH |
                                    TLS_LEVEL_MATCH_ATTR | TLS_LEVEL_PKIX },
                { TLS_LEVEL_UNKNOWN, 0 },
        };
        static const TlsLevelFlags each[] = {
                TLS_LEVEL_TABLE, TLS_LEVEL_REQUIRED, TLS_LEVEL_CERT_MATCH, TLS_LEVEL_MATCH_ATTR, TLS_LEVEL_PKIX,
        };

        assert_int_equal(ELEMENTSOF(rows), _TLS_LEVEL_MAX);
        for (size_t i = 0; i < ELEMENTSOF(rows); i++)
                for (size_t f = 0; f < ELEMENTSOF(each); f++)
                        if (tls_level_has(rows[i].level, each[f]) != !!(rows[i].flags & each[f]))
                                fail_msg("%s: flag %#x: got %d", tls_level_to_string(rows[i].level),
                                         (unsigned) each[f], tls_level_has(rows[i].level, each[f]));
        assert_true(tls_level_has(TLS_LEVEL_SECURE, TLS_LEVEL_MATCH_ATTR | TLS_LEVEL_PKIX));
        assert_false(tls_level_has(TLS_LEVEL_FINGERPRINT, TLS_LEVEL_MATCH_ATTR | TLS_LEVEL_PKIX));
        assert_false(tls_level_has(_TLS_LEVEL_INVALID, TLS_LEVEL_TABLE));
        assert_false(tls_level_has(_TLS_LEVEL_MAX, TLS_LEVEL_TABLE));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_name_code),
                cmocka_unit_test(test_outcome_and_reason_round_trips),
                cmocka_unit_test(test_trust),
                cmocka_unit_test(test_protocols),
                cmocka_unit_test(test_tls_level_words),
                cmocka_unit_test(test_tls_level_lookup),
                cmocka_unit_test(test_tls_level_meaning),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
