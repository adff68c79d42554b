/* Sharing threats as STIX 2.1 (OASIS, 2021): a bundle of the platform's identity, the addresses
 * (ipv4-addr / ipv6-addr SCOs), and per threat an indicator, an observed-data and a sighting.
 * Ids are UUIDv5, so that exporting the same threats again gives the same objects: SCOs by the
 * rule of STIX 2.1 §2.9, our objects over a fixed namespace and the threat key (organisation,
 * unit, signature id, indicator). Timestamps are UTC with milliseconds. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "crypto.h"
#include "ingest.h"
#include "ipnet.h"
#include "json.h"
#include "notice.h"
#include "rules.h"
#include "store/store.h"
#include "timeutil.h"

/* uuid5(NAMESPACE_URL, "urn:fanghu:stix:2.1") = 78a3696b-e0fe-58cd-88de-fd3f13b7021b */
static const unsigned char FANGHU_NS[16] = {0x78, 0xa3, 0x69, 0x6b, 0xe0, 0xfe, 0x58, 0xcd,
                                            0x88, 0xde, 0xfd, 0x3f, 0x13, 0xb7, 0x02, 0x1b};
/* STIX 2.1 §2.9: the namespace of deterministic SCO ids, 00abedb4-aa42-466c-9c01-fed23315a9b7 */
static const unsigned char SCO_NS[16] = {0x00, 0xab, 0xed, 0xb4, 0xaa, 0x42, 0x46, 0x6c,
                                         0x9c, 0x01, 0xfe, 0xd2, 0x33, 0x15, 0xa9, 0xb7};

/* The platform's identity: fixed, so that its id and timestamps never change. */
static const char IDENTITY_NAME[] = "防护（fanghu）电信网络安全防护管理平台";
static const char IDENTITY_CREATED[] = "2026-01-01T00:00:00.000Z";

static void uuid_format(const unsigned char u[16], char out[37])
{
    static const char hex[] = "0123456789abcdef";
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[u[i] >> 4];
        *p++ = hex[u[i] & 15];
    }
    *p = '\0';
}

void stix_uuid5(const unsigned char ns[16], const char *name, size_t len, char out[37])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) || !EVP_DigestUpdate(ctx, ns, 16) ||
        !EVP_DigestUpdate(ctx, name, len) || !EVP_DigestFinal_ex(ctx, md, &md_len))
        die_oom();
    EVP_MD_CTX_free(ctx);
    md[6] = (unsigned char)((md[6] & 0x0f) | 0x50); /* version 5 */
    md[8] = (unsigned char)((md[8] & 0x3f) | 0x80); /* RFC 4122 variant */
    uuid_format(md, out);
}

void stix_object_id(const char *type, const char *name, char out[80])
{
    char uuid[37], buf[512];
    int n = snprintf(buf, sizeof buf, "%s|%s", type, name);
    stix_uuid5(FANGHU_NS, buf,
               n < 0                    ? 0
               : (size_t)n < sizeof buf ? (size_t)n
                                        : sizeof buf - 1,
               uuid);
    snprintf(out, 80, "%s--%s", type, uuid);
}

void stix_sco_id(const char *type, const char *value, char out[80])
{
    /* the canonical JSON (RFC 8785) of the ID-contributing properties */
    json_t *o = json_pack("{s:s}", "value", value);
    char *text = json_dumps(o, JSON_COMPACT);
    char uuid[37];
    stix_uuid5(SCO_NS, text, strlen(text), uuid);
    free(text);
    json_decref(o);
    snprintf(out, 80, "%s--%s", type, uuid);
}

void stix_time_us(int64_t us, char out[32])
{
    int64_t ms = us >= 0 ? us / 1000 : -((-us + 999) / 1000);
    int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
    int64_t rem = ms - days * 86400000;
    struct date d = date_from_days((long)days);
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.y, d.m, d.d, (int)(rem / 3600000),
             (int)(rem / 60000 % 60), (int)(rem / 1000 % 60), (int)(rem % 1000));
}

int stix_time_iso(const char *iso, char out[32])
{
    time_t t;
    if (!iso || time_parse_iso(iso, &t))
        return -1;
    int ms = 0;
    if (strlen(iso) > 20 && iso[10] == 'T' && iso[19] == '.') {
        /* the first three digits of the fraction, ".5" being 500 ms */
        const char *f = iso + 20;
        size_t digits = strspn(f, "0123456789");
        for (size_t i = 0; i < 3; i++)
            ms = ms * 10 + (i < digits ? f[i] - '0' : 0);
    }
    stix_time_us((int64_t)t * 1000000 + (int64_t)ms * 1000, out);
    return 0;
}

/* 202号 categories → STIX 2.1 indicator-type-ov. The indicator is the address on the other side
 * of the alert: an attacker, a command-and-control server, a phishing site (malicious-activity),
 * or a peer of a compromised host (compromised). */
const char *stix_indicator_type(const char *category)
{
    static const struct {
        const char *category, *type;
    } map[] = {
        {"c2", "malicious-activity"},
        {"phishing", "malicious-activity"},
        {"malware", "malicious-activity"},
        {"vulnerability", "malicious-activity"},
        {"weak_password", "malicious-activity"},
        {"backdoor", "compromised"},
        {"compromised", "compromised"},
        {"data_leak", "compromised"},
        {"defacement", "compromised"},
        {"other", "anomalous-activity"},
    };
    for (size_t i = 0; category && i < sizeof map / sizeof map[0]; i++)
        if (!strcmp(map[i].category, category))
            return map[i].type;
    return "unknown";
}

int stix_pattern(const char *addr, char *out, size_t size, const char **type)
{
    unsigned char bytes[16];
    if (!addr || !*addr || ip_parse_addr(addr, bytes))
        return -1;
    *type = strchr(addr, ':') ? "ipv6-addr" : "ipv4-addr";
    /* an address holds no quote or backslash: nothing to escape in the pattern's literal */
    int n = snprintf(out, size, "[%s:value = '%s']", *type, addr);
    return n < 0 || (size_t)n >= size ? -1 : 0;
}

/* ---- the bundle ---- */

#define STIX_COLS                                                                                  \
    "SELECT t.id, t.org_id, t.unit_id, t.signature_id, t.signature, t.sensor_category, "           \
    "t.category, t.category_version, t.severity, t.indicator, t.event_count, t.first_us, "         \
    "t.last_us, t.created_at, t.updated_at FROM threats t WHERE "
#define STIX_FILTERS                                                                               \
    " AND (CAST($2 AS BIGINT) IS NULL OR t.org_id = $2)"                                           \
    " AND (CAST($3 AS TEXT) IS NULL OR t.indicator = $3)"                                          \
    " AND (CAST($4 AS TEXT) IS NULL OR t.category = $4)"
static const char *const SQL_ONE[3] = SCOPED(STIX_COLS, "t.org_id", " AND t.id = $2");
static const char *const SQL_FILTERED[3] =
    SCOPED(STIX_COLS, "t.org_id", STIX_FILTERS " ORDER BY t.last_us DESC, t.id DESC LIMIT $5");
static const char *const SQL_COUNT[3] =
    SCOPED("SELECT COUNT(*) FROM threats t WHERE ", "t.org_id", STIX_FILTERS);

enum {
    C_ID,
    C_ORG,
    C_UNIT,
    C_SID,
    C_SIG,
    C_SENSOR,
    C_CAT,
    C_CATV,
    C_SEV,
    C_IND,
    C_COUNT,
    C_FIRST,
    C_LAST,
    C_CREATED,
    C_UPDATED
};

static const char *category_name(const char *code)
{
    const struct category_map *m = threat_category_table();
    for (size_t i = 0; m && code && i < m->n_categories; i++)
        if (!strcmp(m->categories[i].code, code))
            return m->categories[i].name;
    return code ? code : "";
}

static json_int_t clamp(long long v, long long lo, long long hi)
{
    return (json_int_t)(v < lo ? lo : v > hi ? hi : v);
}

/* The length of s cut to at most max bytes without splitting a UTF-8 sequence. */
static int utf8_prefix(const char *s, int max)
{
    int n = (int)strlen(s);
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

struct bundle {
    json_t *objects;
    json_t *seen; /* ids of the SCOs already in objects */
    char identity[80];
};

static json_t *identity_object(const char *id)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "type", "identity", "spec_version", "2.1",
                     "id", id, "created", IDENTITY_CREATED, "modified", IDENTITY_CREATED, "name",
                     IDENTITY_NAME, "identity_class", "system", "description",
                     "电信和互联网行业网络安全防护管理平台：威胁监测与处置（一处发现、全网处置）");
}

/* The four objects of one threat row (the SCO only once per address). Rows whose indicator is
 * not an address (an event without the other side) have nothing to share and are skipped. */
static void add_threat(struct bundle *b, struct db_stmt *s)
{
    const char *addr = db_text(s, C_IND), *sco_type, *code = db_text(s, C_CAT);
    char pattern[128], key[256], sco[80], ind[80], obs[80], sig[80];
    char created[32], modified[32], first[32], last[32];
    if (stix_pattern(addr, pattern, sizeof pattern, &sco_type))
        return;
    snprintf(key, sizeof key, "threat:%lld:%lld:%lld:%s", db_int(s, C_ORG), db_int(s, C_UNIT),
             db_int(s, C_SID), addr);
    stix_sco_id(sco_type, addr, sco);
    stix_object_id("indicator", key, ind);
    stix_object_id("observed-data", key, obs);
    stix_object_id("sighting", key, sig);
    stix_time_us(db_int(s, C_FIRST), first);
    stix_time_us(db_int(s, C_LAST), last);
    if (stix_time_iso(db_text(s, C_CREATED), created))
        snprintf(created, sizeof created, "%s", first);
    if (stix_time_iso(db_text(s, C_UPDATED), modified) || strcmp(modified, created) < 0)
        snprintf(modified, sizeof modified, "%s", created);
    if (!json_object_get(b->seen, sco)) {
        json_object_set_new(b->seen, sco, json_true());
        json_array_append_new(b->objects,
                              json_pack("{s:s,s:s,s:s,s:s}", "type", sco_type, "spec_version",
                                        "2.1", "id", sco, "value", addr));
    }
    const char *name = category_name(code), *signature = db_text(s, C_SIG);
    char sid[24], description[1024];
    snprintf(sid, sizeof sid, "%lld", db_int(s, C_SID));
    snprintf(description, sizeof description,
             "工信部网安〔2017〕202号分类：%s（%s，分类表 %s）；告警签名 %s：%.*s；严重程度 %lld",
             name, code, db_text(s, C_CATV), sid, utf8_prefix(signature, 400), signature,
             db_int(s, C_SEV));
    json_array_append_new(
        b->objects,
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:[s],s:s,s:s,s:s,s:s,s:[s,s],s:[{s:s,s:s}]}",
                  "type", "indicator", "spec_version", "2.1", "id", ind, "created_by_ref",
                  b->identity, "created", created, "modified", modified, "name",
                  *signature ? signature : name, "description", description, "indicator_types",
                  stix_indicator_type(code), "pattern", pattern, "pattern_type", "stix",
                  "pattern_version", "2.1", "valid_from", first, "labels", code, name,
                  "external_references", "source_name", "suricata-signature", "external_id", sid));
    json_array_append_new(
        b->objects,
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:[s]}", "type", "observed-data",
                  "spec_version", "2.1", "id", obs, "created_by_ref", b->identity, "created",
                  created, "modified", modified, "first_observed", first, "last_observed", last,
                  "number_observed", clamp(db_int(s, C_COUNT), 1, 999999999), "object_refs", sco));
    json_array_append_new(b->objects,
                          json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:[s],s:[s]}", "type",
                                    "sighting", "spec_version", "2.1", "id", sig, "created_by_ref",
                                    b->identity, "created", created, "modified", modified,
                                    "first_seen", first, "last_seen", last, "count",
                                    clamp(db_int(s, C_COUNT), 0, 999999999), "sighting_of_ref", ind,
                                    "observed_data_refs", obs, "where_sighted_refs", b->identity));
}

static void bind_filters(struct db_stmt *s, const struct caller *c, const struct stix_query *q)
{
    scope_bind(s, c);
    if (q->org_id)
        db_bind_int(s, 2, q->org_id);
    else
        db_bind_null(s, 2);
    db_bind_text(s, 3, q->indicator);
    db_bind_text(s, 4, q->category);
}

static enum err by_ids(struct db *db, const struct caller *c, const struct stix_query *q,
                       struct bundle *b)
{
    enum err rc = ERR_OK;
    for (size_t i = 0; !rc && i < q->n_ids; i++) {
        struct db_stmt *s;
        int row, found = 0;
        if ((rc = db_prepare(db, scope_sql(c, SQL_ONE), &s)))
            break;
        scope_bind(s, c);
        db_bind_int(s, 2, q->ids[i]);
        if (!(rc = db_step(s, &row)) && row) {
            found = 1;
            add_threat(b, s);
        }
        db_done(s);
        if (!rc && !found)
            rc = errf(ERR_NOT_FOUND, "ids", "第 %zu 项威胁不存在", i + 1);
    }
    return rc;
}

static enum err by_filters(struct db *db, const struct caller *c, const struct stix_query *q,
                           struct bundle *b, long long *total)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, scope_sql(c, SQL_COUNT), &s);
    if (rc)
        return rc;
    bind_filters(s, c, q);
    if ((rc = db_scalar_int(s, 0, total)) || (rc = db_prepare(db, scope_sql(c, SQL_FILTERED), &s)))
        return rc;
    bind_filters(s, c, q);
    db_bind_int(s, 5, q->limit);
    int row;
    while (!(rc = db_step(s, &row)) && row)
        add_threat(b, s);
    db_done(s);
    return rc;
}

static int nibble(char h)
{
    return h <= '9' ? h - '0' : h - 'a' + 10;
}

enum err stix_bundle(struct db *db, const struct caller *c, const struct stix_query *q,
                     json_t **out, long long *total)
{
    struct bundle b = {json_array(), json_object(), ""};
    stix_object_id("identity", "platform:fanghu", b.identity);
    json_array_append_new(b.objects, identity_object(b.identity));
    *total = (long long)q->n_ids;
    enum err rc = q->n_ids ? by_ids(db, c, q, &b) : by_filters(db, c, q, &b, total);
    json_decref(b.seen);
    if (rc) {
        json_decref(b.objects);
        return rc;
    }
    /* The bundle is a wrapper for transport (STIX 2.1 §8): a fresh UUIDv4 each time. */
    unsigned char u[16];
    char hex[33], uuid[37], id[48];
    crypto_random_hex(hex, 16);
    for (int i = 0; i < 16; i++)
        u[i] = (unsigned char)(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);
    uuid_format(u, uuid);
    snprintf(id, sizeof id, "bundle--%s", uuid);
    *out = json_pack("{s:s,s:s,s:o}", "type", "bundle", "id", id, "objects", b.objects);
    return ERR_OK;
}
