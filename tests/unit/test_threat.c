/* Threat ingest (src/threat/): EVE times, the 202号 category table, the longest-prefix match
 * against a brute force, overlaps, packed segments, and the pipeline on a scratch SQLite
 * database (summary, attribution, resume, quarantine, retention purge). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "arena.h"
#include "err.h"
#include "store/store.h"
#include "ipnet.h"
#include "threat/eve.h"
#include "threat/ingest.h"
#include "threat/lpm.h"
#include "threat/owners.h"
#include "threat/rules.h"
#include "threat/segment.h"

/* ---- times -------------------------------------------------------------------------------- */
static void test_times(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        long long us;
        const char *out;
    } ok[] = {
        {"2022-01-25T21:38:21.448899+0000", 1643146701448899, "2022-01-26T05:38:21.448899+08:00"},
        {"1970-01-01T00:00:00Z", 0, "1970-01-01T08:00:00.000000+08:00"},
        {"1969-12-31T23:59:59.5+00:00", -500000, "1970-01-01T07:59:59.500000+08:00"},
        {"2024-02-29T23:59:59.999999-0130", 1709256599999999, "2024-03-01T09:29:59.999999+08:00"},
        {"2026-11-21T10:00:00.123456789+0800", 1795226400123456,
         "2026-11-21T10:00:00.123456+08:00"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t us;
        char out[40];
        assert_int_equal(eve_time_parse(ok[i].in, strlen(ok[i].in), &us), 0);
        assert_int_equal(us, ok[i].us);
        eve_time_format(us, out);
        assert_string_equal(out, ok[i].out);
    }
    static const char *const bad[] = {
        "2022-02-30T00:00:00Z",      "2022-01-25T21:38:21",      "2022-01-25T24:00:00Z",
        "2022-01-25T21:38:21.+0000", "1899-12-31T00:00:00Z",     "2022-01-25T21:38:21+2400",
        "2022-13-01T00:00:00Z",      "2022-01-25T21:38:21+08:0", "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t us;
        assert_int_equal(eve_time_parse(bad[i], strlen(bad[i]), &us), -1);
    }
}

/* ---- categories ----------------------------------------------------------------------------- */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = xmalloc((size_t)n + 1);
    *len = fread(buf, 1, (size_t)n, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static char *category_file(size_t *len)
{
    static const char *const where[] = {
        "data/threat-categories.json",
        "../data/threat-categories.json",
        "../../data/threat-categories.json",
        "../../../data/threat-categories.json",
    };
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        char *text = slurp(where[i], len);
        if (text) {
            char abs[4096];
            if (realpath(where[i], abs))
                setenv("FANGHU_THREAT_CATEGORIES", abs, 1); /* for the pipeline test */
            return text;
        }
    }
    return NULL;
}

static const char *code_of(const struct category_map *m, long long sid, const char *sig,
                           const char *cat)
{
    return m->categories[category_of(m, sid, sig, strlen(sig), cat, strlen(cat))].code;
}

static void test_categories(void **state)
{
    (void)state;
    size_t len;
    char *text = category_file(&len);
    assert_non_null(text);
    struct category_map m;
    assert_int_equal(category_map_parse(text, len, &m), ERR_OK);
    assert_true(m.n_categories == 10);
    assert_string_equal(code_of(&m, 2013028, "ET POLICY curl User-Agent Outbound", ""), "other");
    assert_string_equal(code_of(&m, 2027758, "ET CNC Feodo Tracker Reported CnC Server", ""), "c2");
    assert_string_equal(code_of(&m, 2018959, "ET TROJAN Win32/Emotet CnC Activity", ""), "c2");
    assert_string_equal(code_of(&m, 2014702, "ET MALWARE Win32/Foo Checkin", ""), "malware");
    assert_string_equal(code_of(&m, 1, "", "A Network Trojan was detected"), "malware");
    assert_string_equal(code_of(&m, 1, "EICAR file data", ""), "malware");
    assert_string_equal(code_of(&m, 2016922, "ET PHISHING Suspicious Login", ""), "phishing");
    assert_string_equal(code_of(&m, 2019401, "ET WEB_SERVER WebShell Generic - wget", ""),
                        "backdoor");
    assert_string_equal(code_of(&m, 2024897, "ET EXPLOIT Apache Struts RCE CVE-2017-5638", ""),
                        "vulnerability");
    assert_string_equal(code_of(&m, 1, "x", "attempted administrator privilege gain"),
                        "vulnerability");
    assert_string_equal(code_of(&m, 1, "ET SCAN Potential SSH Brute Force", ""), "weak_password");
    assert_string_equal(code_of(&m, 1, "ET COINMINING Stratum Login", ""), "compromised");
    assert_string_equal(code_of(&m, 1, "x", "Large Scale Information Leak"), "data_leak");
    assert_string_equal(code_of(&m, 1, "Website defacement detected", ""), "defacement");
    assert_string_equal(code_of(&m, 2230003, "SURICATA TLS invalid handshake message",
                                "Generic Protocol Command Decode"),
                        "other");
    category_map_release(&m);
    /* A table without one of the ten categories, or with a rule naming an unknown one. */
    static const char missing[] = "{\"categories\":[{\"code\":\"other\",\"name\":\"其他\"}],"
                                  "\"rules\":[],\"fallback\":\"other\"}";
    assert_int_equal(category_map_parse(missing, strlen(missing), &m), ERR_VALIDATION);
    char *broken = xstrdup(text);
    char *at = strstr(broken, "\"category\": \"c2\"");
    assert_non_null(at);
    memcpy(at, "\"category\": \"zz\"", 16);
    assert_int_equal(category_map_parse(broken, strlen(broken), &m), ERR_VALIDATION);
    free(broken);
    free(text);
}

/* ---- longest-prefix match ------------------------------------------------------------------- */
static struct lpm_entry entry(const char *cidr, long long org, long long unit)
{
    struct lpm_entry e = {.org_id = org, .unit_id = unit};
    char addr[64];
    const char *slash = strchr(cidr, '/');
    size_t n = slash ? (size_t)(slash - cidr) : strlen(cidr);
    memcpy(addr, cidr, n);
    addr[n] = '\0';
    assert_int_equal(ip_parse_addr(addr, e.addr), 0);
    int v4 = !strchr(addr, ':');
    e.prefix = slash ? (int)strtol(slash + 1, NULL, 10) + (v4 ? 96 : 0) : 128;
    return e;
}

static long long unit_at(const struct lpm *t, const char *addr)
{
    unsigned char a[16];
    assert_int_equal(ip_parse_addr(addr, a), 0);
    const struct lpm_entry *e = lpm_lookup(t, a);
    return e ? e->unit_id : 0;
}

static void test_lpm_cases(void **state)
{
    (void)state;
    struct lpm_entry es[] = {
        entry("10.0.0.0/8", 1, 1),         entry("10.1.0.0/16", 2, 2),
        entry("10.1.2.0/24", 1, 3),        entry("10.1.2.3/32", 3, 4),
        entry("10.1.0.0/16", 4, 5), /* the same prefix again: the first (unit 2) owns it */
        entry("2001:db8::/32", 5, 6),      entry("2001:db8:1::/48", 6, 7),
        entry("255.255.255.255/32", 7, 8), entry("::/0", 8, 9),
    };
    struct lpm *t = lpm_build(es, sizeof es / sizeof es[0]);
    assert_int_equal(unit_at(t, "10.0.0.1"), 1);
    assert_int_equal(unit_at(t, "10.255.255.255"), 1);
    assert_int_equal(unit_at(t, "10.1.0.0"), 2);
    assert_int_equal(unit_at(t, "10.1.2.2"), 3);
    assert_int_equal(unit_at(t, "10.1.2.3"), 4);
    assert_int_equal(unit_at(t, "10.1.2.4"), 3);
    assert_int_equal(unit_at(t, "10.1.3.0"), 2);
    assert_int_equal(unit_at(t, "11.0.0.0"), 9); /* ::/0 holds the IPv4-mapped space too */
    assert_int_equal(unit_at(t, "255.255.255.255"), 8);
    assert_int_equal(unit_at(t, "2001:db8::1"), 6);
    assert_int_equal(unit_at(t, "2001:db8:1:ffff::1"), 7);
    assert_int_equal(unit_at(t, "2001:db9::"), 9);
    assert_int_equal(unit_at(t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), 9);
    lpm_free(t);

    struct lpm *empty = lpm_build(NULL, 0);
    assert_int_equal(unit_at(empty, "1.2.3.4"), 0);
    assert_int_equal(unit_at(empty, "::1"), 0);
    lpm_free(empty);

    /* Overlaps between organisations: 10/8 (org 1) holds 10.1/16 of orgs 2 and 4 and 10.1.2.3
     * of org 3; 10.1/16 (org 2) holds 10.1.2/24 (org 1) and 10.1.2.3 (3); the twin 10.1/16 of
     * org 4 overlaps the first one and holds 10.1.2/24 and 10.1.2.3; 10.1.2/24 holds 10.1.2.3;
     * ::/0 (org 8) holds everything else. */
    struct lpm_overlap out[64];
    size_t n = lpm_overlaps(es, sizeof es / sizeof es[0], out, 64);
    size_t brute = 0;
    for (size_t i = 0; i < sizeof es / sizeof es[0]; i++)
        for (size_t j = i + 1; j < sizeof es / sizeof es[0]; j++) {
            const struct lpm_entry *a = &es[i], *b = &es[j];
            const struct lpm_entry *wide = a->prefix <= b->prefix ? a : b,
                                   *narrow = wide == a ? b : a;
            struct lpm *one = lpm_build(wide, 1);
            if (a->org_id != b->org_id && lpm_lookup(one, narrow->addr))
                brute++;
            lpm_free(one);
        }
    assert_int_equal(n, brute);
    for (size_t i = 0; i < n; i++)
        assert_true(es[out[i].outer].prefix <= es[out[i].inner].prefix);
}

static uint64_t rnd_state = 88172645463325252ull;
static uint64_t rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

static int contains(const struct lpm_entry *e, const unsigned char a[16])
{
    for (int i = 0; i < 16; i++) {
        int bits = e->prefix - 8 * i;
        if (bits <= 0)
            return 1;
        unsigned char m = bits >= 8 ? 0xff : (unsigned char)(0xff << (8 - bits));
        if ((a[i] & m) != (e->addr[i] & m))
            return 0;
    }
    return 1;
}

static void random_addr(unsigned char a[16], int v4)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    for (int i = 0; i < 16; i++)
        a[i] = (unsigned char)rnd();
    if (v4)
        memcpy(a, mapped, 12);
    if (rnd() % 2) /* crowd the addresses so that prefixes nest */
        a[v4 ? 12 : 0] = 10;
}

static void test_lpm_random(void **state)
{
    (void)state;
    for (int round = 0; round < 300; round++) {
        size_t n = rnd() % 80;
        struct lpm_entry *es = xcalloc(n + 1, sizeof *es);
        for (size_t i = 0; i < n; i++) {
            int v4 = rnd() % 3 != 0;
            random_addr(es[i].addr, v4);
            es[i].prefix = v4 ? 96 + (int)(rnd() % 33) : (int)(rnd() % 129);
            if (i && rnd() % 8 == 0)
                es[i] = es[rnd() % i];
            es[i].org_id = (long long)(rnd() % 4) + 1;
            es[i].unit_id = (long long)i + 1;
        }
        struct lpm *t = lpm_build(es, n);
        for (int q = 0; q < 500; q++) {
            unsigned char a[16];
            if (n && rnd() % 2) {
                memcpy(a, es[rnd() % n].addr, 16);
                a[15] ^= (unsigned char)(rnd() % 4);
            } else {
                random_addr(a, rnd() % 3 != 0);
            }
            long best = -1;
            for (size_t i = 0; i < n; i++)
                if (contains(&es[i], a) && (best < 0 || es[i].prefix > es[best].prefix))
                    best = (long)i; /* the first of equal prefixes wins */
            const struct lpm_entry *got = lpm_lookup(t, a);
            assert_int_equal(got ? got->unit_id : 0, best < 0 ? 0 : es[best].unit_id);
        }
        lpm_free(t);
        free(es);
    }
}

/* ---- segments ------------------------------------------------------------------------------- */
struct collected {
    struct seg_event ev[64];
    char sig[64][32];
    size_t n;
};

static int collect(const struct seg_event *ev, const struct seg_dict *d, void *arg)
{
    struct collected *c = arg;
    c->ev[c->n] = *ev;
    snprintf(c->sig[c->n], 32, "%.*s",
             ev->str[SEG_SIGNATURE] ? (int)d->len[ev->str[SEG_SIGNATURE] - 1] : 0,
             ev->str[SEG_SIGNATURE] ? d->s[ev->str[SEG_SIGNATURE] - 1] : "");
    c->n++;
    return 0;
}

static void test_segment_round_trip(void **state)
{
    (void)state;
    struct seg_dict d;
    seg_dict_init(&d);
    struct seg_event ev[40];
    memset(ev, 0, sizeof ev);
    for (int i = 0; i < 40; i++) {
        struct seg_event *e = &ev[i];
        e->ts_us = 1643146701448899LL + (i % 7) * 1000000LL - (i % 3) * 77;
        e->line_offset = (int64_t)i * 1530;
        e->flags = SEG_HAS_SRC | SEG_HAS_DST | SEG_HAS_SID | SEG_HAS_SEV | SEG_HAS_FLOW |
                   (i % 2 ? SEG_SRC_V4 | SEG_DST_V4 : 0) | (i % 5 == 0 ? SEG_ANOMALY : 0);
        random_addr(e->src, i % 2);
        random_addr(e->dst, i % 2);
        e->sport = i % 4 ? 1024 + i : -1;
        e->dport = 80;
        e->sid = i % 3 ? 2000000 + i : -5;
        e->severity = i % 4;
        e->flow_id = (long long)rnd() >> 2;
        e->threat[0] = i;
        e->org[1] = 3 * i;
        e->unit[1] = i ? 1000 + i : 0;
        char sig[32];
        snprintf(sig, sizeof sig, "sig %d", i % 6);
        e->str[SEG_SIGNATURE] = seg_dict_intern(&d, sig, strlen(sig));
    }
    assert_int_equal(d.n, 6);
    char *text;
    size_t raw_len;
    seg_encode(&d, ev, 40, &text, &raw_len);
    struct collected *c = xcalloc(1, sizeof *c);
    assert_int_equal(seg_decode(text, raw_len, collect, c), ERR_OK);
    assert_int_equal(c->n, 40);
    for (int i = 0; i < 40; i++) {
        char sig[32];
        snprintf(sig, sizeof sig, "sig %d", i % 6);
        assert_string_equal(c->sig[i], sig);
        c->ev[i].str[SEG_SIGNATURE] = ev[i].str[SEG_SIGNATURE]; /* indexes may differ */
        if (ev[i].flags & SEG_SRC_V4) /* only the 4 bytes of an IPv4 address travel */
            memcpy(ev[i].src, c->ev[i].src, 12), memcpy(ev[i].dst, c->ev[i].dst, 12);
        assert_memory_equal(&c->ev[i], &ev[i], sizeof ev[i]);
    }
    text[10] ^= 1; /* a damaged segment is an error, not a crash */
    c->n = 0;
    enum err rc = seg_decode(text, raw_len, collect, c);
    assert_true(rc == ERR_DB || rc == ERR_OK);
    free(c);
    free(text);
    seg_dict_release(&d);
}

/* ---- the pipeline on SQLite ----------------------------------------------------------------- */
static const char *const LINES[] = {
    /* attributed both ways: 10.1.2.3 (org 1, unit 1) ↔ 192.0.2.7 (nobody) */
    "{\"timestamp\":\"2026-01-02T03:04:05.000001+0000\",\"event_type\":\"alert\","
    "\"src_ip\":\"192.0.2.7\",\"src_port\":4444,\"dest_ip\":\"10.1.2.3\",\"dest_port\":80,"
    "\"proto\":\"TCP\",\"alert\":{\"signature_id\":2024897,\"signature\":\"ET EXPLOIT x\","
    "\"category\":\"\",\"severity\":1}}",
    "{\"timestamp\":\"2026-01-02T03:04:06+0000\",\"event_type\":\"alert\","
    "\"src_ip\":\"10.1.2.3\",\"dest_ip\":\"192.0.2.7\",\"proto\":\"TCP\","
    "\"alert\":{\"signature_id\":2024897,\"signature\":\"ET EXPLOIT x\",\"severity\":2}}",
    /* both sides owned by different organisations: two threats */
    "{\"timestamp\":\"2026-01-02T03:04:07+0000\",\"event_type\":\"alert\","
    "\"src_ip\":\"10.1.2.3\",\"dest_ip\":\"2001:db8::5\",\"proto\":\"UDP\","
    "\"alert\":{\"signature_id\":7,\"signature\":\"ET CNC y\",\"severity\":3}}",
    /* nobody's: unattributed; no timestamp: the time of receipt */
    "{\"event_type\":\"alert\",\"src_ip\":\"198.51.100.1\",\"dest_ip\":\"198.51.100.2\","
    "\"alert\":{\"signature_id\":7}}",
    /* an anomaly of unit 1 (kept, no threat); other events; bad lines */
    "{\"timestamp\":\"2026-01-02T03:04:08+0000\",\"event_type\":\"anomaly\","
    "\"src_ip\":\"10.9.9.9\",\"anomaly\":{\"type\":\"decode\",\"event\":\"x\"}}",
    "{\"timestamp\":\"2026-01-02T03:04:09+0000\",\"event_type\":\"dns\",\"src_ip\":\"10.1.2.3\"}",
    "{\"timestamp\":\"2026-01-02T03:04:09+0000\",\"event_type\":\"stats\",\"stats\":{\"a\":[1,2]}}",
    "{\"event_type\":\"alert\",",
    "[1,2,3]",
    "\x01\xff not json",
};

static struct store *scratch_store(char path[64])
{
    snprintf(path, 64, "/tmp/fanghu-test-threat-%d.db", (int)getpid());
    unlink(path);
    char url[80];
    snprintf(url, sizeof url, "sqlite:%s", path);
    struct store *st;
    int applied;
    assert_int_equal(store_open(url, "/tmp", &st), ERR_OK);
    assert_int_equal(store_migrate(st, &applied), ERR_OK);
    struct db *db;
    assert_int_equal(store_acquire(st, &db), ERR_OK);
    assert_int_equal(
        db_exec(db,
                "INSERT INTO orgs (id, name, kind, uscc, province, created_at, updated_at) VALUES "
                "(1, 'a', 'vas', 'U1', '35', 't', 't'), (2, 'b', 'vas', 'U2', '35', 't', 't');"
                "INSERT INTO units (id, org_id, name, unit_type, created_at, updated_at) VALUES "
                "(1, 1, 'u1', 'internet', 't', 't'), (2, 2, 'u2', 'internet', 't', 't');"
                "INSERT INTO unit_ranges (unit_id, org_id, cidr, first_hex, last_hex) VALUES "
                "(1, 1, '10.0.0.0/8', '00000000000000000000ffff0a000000', "
                "'00000000000000000000ffff0affffff'), "
                "(2, 2, '2001:db8::/32', '20010db8000000000000000000000000', "
                "'20010db8ffffffffffffffffffffffff')"),
        ERR_OK);
    owners_reset();
    return st;
}

static long long scalar(struct db *db, const char *sql)
{
    struct db_stmt *s;
    long long v = -1;
    assert_int_equal(db_prepare(db, sql, &s), ERR_OK);
    assert_int_equal(db_scalar_int(s, -1, &v), ERR_OK);
    return v;
}

static void test_pipeline(void **state)
{
    (void)state;
    size_t len;
    free(category_file(&len)); /* sets FANGHU_THREAT_CATEGORIES when the build has no copy */
    char path[64], file[64];
    struct store *st = scratch_store(path);
    snprintf(file, sizeof file, "/tmp/fanghu-test-threat-%d.json", (int)getpid());
    FILE *f = fopen(file, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < sizeof LINES / sizeof LINES[0]; i++)
        fprintf(f, "%s\n", LINES[i]);
    fclose(f);

    struct ingest_options o = {.batch_lines = 3};
    struct ingest_summary s;
    assert_int_equal(ingest_path(st, file, &o, &s), ERR_OK);
    assert_int_equal(s.lines, 10);
    assert_int_equal(s.alerts, 4);
    assert_int_equal(s.anomalies, 1);
    assert_int_equal(s.other, 2);
    assert_int_equal(s.quarantined, 3);
    assert_int_equal(s.unattributed, 1);
    assert_int_equal(s.threats, 3);
    /* again: resumed at the end, nothing new */
    assert_int_equal(ingest_path(st, file, &o, &s), ERR_OK);
    assert_int_equal(s.lines, 0);

    struct db *db;
    assert_int_equal(store_acquire(st, &db), ERR_OK);
    assert_int_equal(scalar(db, "SELECT event_count FROM threats WHERE org_id = 1 AND "
                                "signature_id = 2024897 AND indicator = '192.0.2.7'"),
                     2);
    assert_int_equal(scalar(db, "SELECT severity FROM threats WHERE signature_id = 2024897"), 1);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM threats WHERE category = 'vulnerability'"),
                     1);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM threats WHERE org_id = 2 AND "
                                "indicator = '10.1.2.3' AND category = 'c2'"),
                     1);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM threats WHERE org_id = 1 AND "
                                "indicator = '2001:db8::5'"),
                     1);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM threat_samples"), 4); /* 2 + 1 + 1 */
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM threat_quarantine"), 3);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM threat_quarantine WHERE line LIKE "
                                "'\\x01\\xff not json'"),
                     1);
    long long size = 0;
    for (size_t i = 0; i < sizeof LINES / sizeof LINES[0]; i++)
        size += (long long)strlen(LINES[i]) + 1;
    assert_int_equal(scalar(db, "SELECT read_offset FROM threat_sources"), size);

    /* The events of a threat come back from the segments. */
    long long id = scalar(db, "SELECT id FROM threats WHERE indicator = '192.0.2.7'");
    json_t *items;
    long long total;
    assert_int_equal(threat_events(db, id, 10, 0, &items, &total), ERR_OK);
    assert_int_equal(total, 2);
    assert_int_equal(json_array_size(items), 2);
    json_decref(items);

    /* Retention: segments and quarantined lines received 200 days ago go, threats stay. */
    assert_int_equal(db_exec(db, "UPDATE threat_segments SET received_us = received_us - "
                                 "200 * 86400 * 1000000;"
                                 "UPDATE threat_quarantine SET received_us = received_us - "
                                 "200 * 86400 * 1000000"),
                     ERR_OK);
    long long segments, quarantined;
    assert_int_equal(threat_purge(db, THREAT_RETENTION_DAYS, &segments, &quarantined), ERR_OK);
    assert_true(segments >= 2);
    assert_int_equal(quarantined, 3);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM threat_segments"), 0);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM threat_segment_threats"), 0);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM threat_segment_orgs"), 0);
    assert_int_equal(scalar(db, "SELECT COUNT(*) FROM threats"), 3);

    store_close(st);
    owners_reset();
    unlink(file);
    unlink(path);
    char side[80];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_categories),
        cmocka_unit_test(test_lpm_cases),
        cmocka_unit_test(test_lpm_random),
        cmocka_unit_test(test_segment_round_trip),
        cmocka_unit_test(test_pipeline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
