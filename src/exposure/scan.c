/* nmap scans (R4 reconciliation): import, and per organisation the open services seen on its
 * addresses but not declared (shadow exposure), the declared addresses the scan covered without
 * an open service, and the difference between two scans. A host belongs to an organisation when
 * its address lies in one of the organisation's declared ranges: its units' IP ranges or its
 * exposure entries. A scan reaches only the organisations within the scope of whoever imported
 * it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "audit/audit.h"
#include "crypto.h"
#include "exposure.h"
#include "internal.h"
#include "ipnet.h"
#include "json.h"
#include "nmap.h"
#include "store/store.h"
#include "timeutil.h"

/* Hard bounds of an uploaded scan (the HTTP upload limit comes first). */
static const struct nmap_limits SCAN_LIMITS = {
    .max_bytes = 64u << 20,
    .max_hosts = 65536,
    .max_ports = 500000,
    .max_depth = 32,
    .max_attr = 64u << 10,
};

/* Scan s reaches the organisation of parameter P ("$2"). */
#define APPLIES(P)                                                                                 \
    "(s.scope_mode = 'all' OR (s.scope_mode = 'tree' AND EXISTS (SELECT 1 FROM org_tree t "        \
    "WHERE t.ancestor = s.scope_org AND t.descendant = " P ")) OR (s.scope_mode = 'juris' AND "    \
    "EXISTS (SELECT 1 FROM regulator_scope j WHERE j.regulator_id = s.scope_org AND "              \
    "j.org_id = " P ")))"
/* Host h lies in a range declared by the organisation of parameter P. */
#define OWNED(P)                                                                                   \
    "(EXISTS (SELECT 1 FROM unit_ranges r WHERE r.org_id = " P " AND r.first_hex <= h.addr_hex "   \
    "AND r.last_hex >= h.addr_hex) OR EXISTS (SELECT 1 FROM exposure_addresses a WHERE "           \
    "a.org_id = " P " AND a.first_hex <= h.addr_hex AND a.last_hex >= h.addr_hex))"

static void hex16(const unsigned char ip[16], char out[33])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        out[2 * i] = digits[ip[i] >> 4];
        out[2 * i + 1] = digits[ip[i] & 15];
    }
    out[32] = '\0';
}

static const char *iso_or_null(long long t, char buf[40])
{
    if (t <= 0)
        return NULL;
    time_iso((time_t)t, buf);
    return buf;
}

static const char SQL_SCAN_ADD[] =
    "INSERT INTO exposure_scans (scope_mode, scope_org, scanner, scanner_version, args, "
    "started_at, finished_at, scanned_at, hosts, hosts_up, ports, open_ports, file_sm3, "
    "file_bytes, imported_by, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
    "$12, $13, $14, $15, $16) RETURNING id";
static const char SQL_HOST_ADD[] =
    "INSERT INTO exposure_scan_hosts (scan_id, addr, addr_hex, status, hostname, started_at, "
    "ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
static const char SQL_PORT_ADD[] =
    "INSERT INTO exposure_scan_ports (scan_id, host_id, protocol, port, state, reason, service, "
    "product, version, extrainfo, tunnel) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

static enum err insert_host(struct db *db, long long scan_id, const struct nmap_host *h)
{
    struct db_stmt *s;
    char hex[33], t1[40], t2[40];
    long long host_id = 0;
    int row;
    enum err rc = db_prepare(db, SQL_HOST_ADD, &s);
    if (rc)
        return rc;
    hex16(h->ip, hex);
    db_bind_int(s, 1, scan_id);
    db_bind_text(s, 2, h->addr);
    db_bind_text(s, 3, hex);
    db_bind_text(s, 4, h->status);
    db_bind_text(s, 5, h->hostname);
    db_bind_text(s, 6, iso_or_null(h->start, t1));
    db_bind_text(s, 7, iso_or_null(h->end, t2));
    if (!(rc = db_step(s, &row)) && row)
        host_id = db_int(s, 0);
    db_done(s);
    for (size_t i = 0; !rc && i < h->n_ports; i++) {
        const struct nmap_port *p = &h->ports[i];
        if ((rc = db_prepare(db, SQL_PORT_ADD, &s)))
            break;
        db_bind_int(s, 1, scan_id);
        db_bind_int(s, 2, host_id);
        db_bind_text(s, 3, p->protocol);
        db_bind_int(s, 4, p->port);
        db_bind_text(s, 5, p->state);
        db_bind_text(s, 6, p->reason);
        db_bind_text(s, 7, p->service);
        db_bind_text(s, 8, p->product);
        db_bind_text(s, 9, p->version);
        db_bind_text(s, 10, p->extrainfo);
        db_bind_text(s, 11, p->tunnel);
        rc = db_step(s, &row);
        db_done(s);
    }
    return rc;
}

static enum err insert_scan(struct db *db, const struct audit_ctx *ax, const struct caller *c,
                            const struct nmap_scan *scan, const char *sm3, size_t len,
                            long long *id)
{
    static const char *const modes[] = {"all", "tree", "juris"};
    enum scope_mode mode = scope_mode(c);
    char started[40], finished[40], now[40];
    const char *st = iso_or_null(scan->start, started),
               *fin = iso_or_null(scan->finished, finished);
    time_now_iso(now);
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_SCAN_ADD, &s);
    if (rc)
        return rc;
    db_bind_text(s, 1, modes[mode]);
    db_bind_int(s, 2, mode == SCOPE_ALL ? 0 : c->org_id);
    db_bind_text(s, 3, scan->scanner);
    db_bind_text(s, 4, scan->version);
    db_bind_text(s, 5, scan->args);
    db_bind_text(s, 6, st);
    db_bind_text(s, 7, fin);
    db_bind_text(s, 8, st ? st : fin ? fin : now);
    db_bind_int(s, 9, (long long)scan->n_hosts);
    db_bind_int(s, 10, (long long)scan->n_up);
    db_bind_int(s, 11, (long long)scan->n_ports);
    db_bind_int(s, 12, (long long)scan->n_open);
    db_bind_text(s, 13, sm3);
    db_bind_int(s, 14, (long long)len);
    db_bind_text(s, 15, ax->actor_name);
    db_bind_text(s, 16, now);
    int row;
    if (!(rc = db_step(s, &row)) && row)
        *id = db_int(s, 0);
    db_done(s);
    return rc;
}

static const char SQL_SCAN_ORGS[] =
    "SELECT DISTINCT t.org_id FROM (SELECT r.org_id FROM exposure_scan_hosts h JOIN unit_ranges r "
    "ON r.first_hex <= h.addr_hex AND r.last_hex >= h.addr_hex WHERE h.scan_id = $1 UNION "
    "SELECT a.org_id FROM exposure_scan_hosts h JOIN exposure_addresses a ON a.first_hex <= "
    "h.addr_hex AND a.last_hex >= h.addr_hex WHERE h.scan_id = $1) t ORDER BY t.org_id";
static const char SQL_APPLIES[] =
    "SELECT COUNT(*) FROM exposure_scans s WHERE s.id = $1 AND " APPLIES("$2");
static const char SQL_ORG_NAME[] = "SELECT name FROM orgs WHERE id = $1";

static enum err applies(struct db *db, long long scan_id, long long org_id, int *yes)
{
    struct db_stmt *s;
    long long n = 0;
    enum err rc = db_prepare(db, SQL_APPLIES, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, scan_id);
    db_bind_int(s, 2, org_id);
    rc = db_scalar_int(s, 0, &n);
    *yes = n > 0;
    return rc;
}

/* The organisations a scan reached, with their reconciliation counts (at most 500). */
static enum err scan_orgs(struct db *db, long long scan_id, json_t *out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_SCAN_ORGS, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, scan_id);
    json_t *ids = json_array();
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(ids, json_integer(db_int(s, 0)));
    db_done(s);
    size_t i;
    json_t *v;
    json_array_foreach (ids, i, v) {
        long long org = json_integer_value(v);
        int yes;
        json_t *rec;
        if (rc || i >= 500 || (rc = applies(db, scan_id, org, &yes)))
            break;
        if (!yes)
            continue;
        if ((rc = exposure_reconcile(db, org, scan_id, &rec)))
            break;
        char name[256] = "", idbuf[24];
        if (!(rc = db_prepare(db, SQL_ORG_NAME, &s))) {
            db_bind_int(s, 1, org);
            if (!(rc = db_step(s, &row)) && row)
                snprintf(name, sizeof name, "%s", db_text(s, 0));
            db_done(s);
        }
        json_t *counts = json_object_get(rec, "counts");
        json_array_append_new(out,
                              json_pack("{s:s,s:s,s:O}", "org_id", exposure_id_text(org, idbuf),
                                        "org_name", name, "counts", counts));
        json_decref(rec);
    }
    json_decref(ids);
    return rc;
}

static const char SQL_SCAN_META[] =
    "SELECT s.id, s.scanned_at, s.started_at, s.finished_at, s.scanner, s.scanner_version, "
    "s.hosts, s.hosts_up, s.ports, s.open_ports, s.args, s.scope_mode, s.scope_org, s.file_sm3, "
    "s.file_bytes, s.imported_by, s.imported_at FROM exposure_scans s WHERE s.id = $1";

/* The scan's row: brief (what an organisation may see of any scan that reached it) or full. */
static enum err scan_meta(struct db *db, long long id, int full, json_t **out)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_SCAN_META, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    int row;
    *out = NULL;
    if (!(rc = db_step(s, &row)) && row) {
        char idbuf[24], org[24];
        json_t *m = json_pack(
            "{s:s,s:s,s:o,s:o,s:s,s:s}", "id", exposure_id_text(db_int(s, 0), idbuf), "scanned_at",
            db_text(s, 1), "started_at", json_str_or_null(db_text(s, 2)), "finished_at",
            json_str_or_null(db_text(s, 3)), "scanner", db_text(s, 4), "version", db_text(s, 5));
        if (full)
            json_object_update_new(
                m,
                json_pack("{s:I,s:I,s:I,s:I,s:s,s:s,s:o,s:s,s:I,s:s,s:s}", "hosts",
                          (json_int_t)db_int(s, 6), "hosts_up", (json_int_t)db_int(s, 7), "ports",
                          (json_int_t)db_int(s, 8), "open_ports", (json_int_t)db_int(s, 9), "args",
                          db_text(s, 10), "scope_mode", db_text(s, 11), "scope_org_id",
                          db_int(s, 12) ? json_string(exposure_id_text(db_int(s, 12), org))
                                        : json_null(),
                          "file_sm3", db_text(s, 13), "file_bytes", (json_int_t)db_int(s, 14),
                          "imported_by", db_text(s, 15), "imported_at", db_text(s, 16)));
        *out = m;
    }
    db_done(s);
    if (!rc && !*out)
        rc = errf(ERR_NOT_FOUND, NULL, "扫描记录不存在");
    return rc;
}

enum err exposure_scan_import(struct db *db, const struct audit_ctx *ax, const struct caller *c,
                              const char *data, size_t len, json_t **out)
{
    struct arena a;
    struct nmap_scan scan;
    long long id = 0;
    char sm3[65], idbuf[24];
    json_t *summary = NULL;
    arena_init(&a);
    enum err rc = nmap_parse(&a, data, len, &SCAN_LIMITS, &scan);
    if (!rc)
        rc = crypto_sm3_hex(data, len, sm3);
    if (!rc)
        rc = insert_scan(db, ax, c, &scan, sm3, len, &id);
    for (size_t i = 0; !rc && i < scan.n_hosts; i++)
        rc = insert_host(db, id, &scan.hosts[i]);
    arena_release(&a);
    if (!rc && !(rc = scan_meta(db, id, 1, &summary))) {
        json_t *after = json_deep_copy(summary);
        rc = audit_append(db, ax, "exposure.scan_import", "exposure_scan",
                          exposure_id_text(id, idbuf), scope_mode(c) == SCOPE_ALL ? 0 : c->org_id,
                          NULL, after);
        json_decref(after);
    }
    if (!rc) {
        json_t *orgs = json_array();
        json_object_set_new(summary, "organisations", orgs);
        rc = scan_orgs(db, id, orgs);
    }
    if (rc) {
        json_decref(summary);
        return rc;
    }
    *out = summary;
    return ERR_OK;
}

static const char SQL_SCAN_SCOPE[] = "SELECT scope_org FROM exposure_scans WHERE id = $1";

enum err exposure_scan_scope(struct db *db, long long id, long long *scope_org)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_SCAN_SCOPE, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, id);
    rc = db_scalar_int(s, -1, scope_org);
    if (!rc && *scope_org < 0)
        rc = errf(ERR_NOT_FOUND, NULL, "扫描记录不存在");
    return rc;
}

static const char SQL_SCAN_HOSTS[] =
    "SELECT h.id, h.addr, h.status, h.hostname, h.started_at, h.ended_at FROM "
    "exposure_scan_hosts h WHERE h.scan_id = $1 ORDER BY h.id LIMIT 5001";
static const char SQL_HOST_PORTS[] =
    "SELECT p.protocol, p.port, p.state, p.reason, p.service, p.product, p.version, p.extrainfo, "
    "p.tunnel FROM exposure_scan_ports p WHERE p.host_id = $1 ORDER BY p.id";

static json_t *port_json(struct db_stmt *s, int col)
{
    return json_pack("{s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "protocol", db_text(s, col), "port",
                     (json_int_t)db_int(s, col + 1), "state", db_text(s, col + 2), "reason",
                     db_text(s, col + 3), "service", db_text(s, col + 4), "product",
                     db_text(s, col + 5), "version", db_text(s, col + 6), "extrainfo",
                     db_text(s, col + 7), "tunnel", db_text(s, col + 8));
}

enum err exposure_scan_json(struct db *db, long long id, json_t **out)
{
    json_t *m;
    struct db_stmt *s, *p;
    enum err rc = scan_meta(db, id, 1, &m);
    if (rc || (rc = db_prepare(db, SQL_SCAN_HOSTS, &s))) {
        if (!rc)
            json_decref(m);
        return rc;
    }
    db_bind_int(s, 1, id);
    json_t *hosts = json_array();
    int row, prow;
    while (!(rc = db_step(s, &row)) && row && json_array_size(hosts) < 5000) {
        json_t *ports = json_array();
        json_array_append_new(hosts,
                              json_pack("{s:s,s:s,s:s,s:o,s:o,s:o}", "address", db_text(s, 1),
                                        "status", db_text(s, 2), "hostname", db_text(s, 3),
                                        "started_at", json_str_or_null(db_text(s, 4)), "ended_at",
                                        json_str_or_null(db_text(s, 5)), "ports", ports));
        if ((rc = db_prepare(db, SQL_HOST_PORTS, &p)))
            break;
        db_bind_int(p, 1, db_int(s, 0));
        while (!(rc = db_step(p, &prow)) && prow)
            json_array_append_new(ports, port_json(p, 0));
        db_done(p);
        if (rc)
            break;
    }
    int more = !rc && row;
    db_done(s);
    json_object_set_new(m, "host_list", hosts);
    json_object_set_new(m, "truncated", json_boolean(more));
    if (rc) {
        json_decref(m);
        return rc;
    }
    *out = m;
    return ERR_OK;
}

/* Reconciliation. ------------------------------------------------------------------------- */

static const char SQL_LATEST[] = "SELECT s.id FROM exposure_scans s WHERE " APPLIES(
    "$1") " AND EXISTS (SELECT 1 FROM "
          "exposure_scan_hosts h WHERE h.scan_id = s.id AND " OWNED(
              "$1") ") ORDER BY s.scanned_at DESC, "
                    "s.id DESC LIMIT 2";

/* The latest scans (at most 2) that reached org and listed one of its hosts: ids[0] newest. */
static enum err latest_scans(struct db *db, long long org, long long ids[2], int *n)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_LATEST, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, org);
    int row;
    *n = 0;
    while (!(rc = db_step(s, &row)) && row && *n < 2)
        ids[(*n)++] = db_int(s, 0);
    db_done(s);
    return rc;
}

/* A scan given by the caller must exist and reach the organisation. */
static enum err reachable_scan(struct db *db, long long scan_id, long long org)
{
    int yes = 0;
    enum err rc = applies(db, scan_id, org, &yes);
    if (!rc && !yes)
        rc = errf(ERR_NOT_FOUND, "scan_id", "扫描记录不存在或未覆盖该单位");
    return rc;
}

static const char SQL_OPEN[] =
    "SELECT h.addr, h.hostname, p.protocol, p.port, p.state, p.service, p.product, p.version, "
    "p.extrainfo, p.tunnel, CASE WHEN EXISTS (SELECT 1 FROM exposure_addresses a WHERE "
    "a.org_id = $2 AND a.first_hex <= h.addr_hex AND a.last_hex >= h.addr_hex) THEN 1 ELSE 0 "
    "END, COALESCE((SELECT u.name FROM unit_ranges r JOIN units u ON u.id = r.unit_id WHERE "
    "r.org_id = $2 AND r.first_hex <= h.addr_hex AND r.last_hex >= h.addr_hex ORDER BY r.id "
    "LIMIT 1), '') FROM exposure_scan_ports p JOIN exposure_scan_hosts h ON h.id = p.host_id "
    "WHERE p.scan_id = $1 AND p.state = 'open' AND " OWNED(
        "$2") " ORDER BY h.addr_hex, p.protocol, "
              "p.port";
static const char SQL_DECLARED[] =
    "SELECT a.entry_id, e.inventory, e.asset_name, a.cidr, (SELECT COUNT(*) FROM "
    "exposure_scan_hosts h WHERE h.scan_id = $1 AND h.addr_hex >= a.first_hex AND h.addr_hex <= "
    "a.last_hex) FROM exposure_addresses a JOIN exposure_entries e ON e.id = a.entry_id WHERE "
    "a.org_id = $2 ORDER BY e.inventory, a.entry_id, a.id";
static const char SQL_OWNED_HOSTS[] =
    "SELECT COUNT(*) FROM exposure_scan_hosts h WHERE h.scan_id = $1 AND " OWNED("$2");

static enum err open_services(struct db *db, long long scan_id, long long org, json_t *open)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_OPEN, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, scan_id);
    db_bind_int(s, 2, org);
    int row;
    while (!(rc = db_step(s, &row)) && row)
        json_array_append_new(
            open, json_pack("{s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s}", "address",
                            db_text(s, 0), "hostname", db_text(s, 1), "protocol", db_text(s, 2),
                            "port", (json_int_t)db_int(s, 3), "state", db_text(s, 4), "service",
                            db_text(s, 5), "product", db_text(s, 6), "version", db_text(s, 7),
                            "extrainfo", db_text(s, 8), "tunnel", db_text(s, 9), "declared",
                            (int)db_int(s, 10), "unit_name", db_text(s, 11)));
    db_done(s);
    return rc;
}

/* The open services lying in a declared address. */
static json_t *services_in(const char *cidr, json_t *open)
{
    json_t *out = json_array(), *o;
    struct ipnet n;
    size_t i;
    if (ipnet_parse(cidr, "ip", &n)) {
        err_clear();
        return out;
    }
    json_array_foreach (open, i, o) {
        unsigned char a[16];
        if (!ip_parse_addr(json_str(o, "address"), a) && ipnet_contains(&n, a))
            json_array_append_new(
                out,
                json_pack("{s:s,s:s,s:O,s:s,s:s,s:s}", "address", json_str(o, "address"),
                          "protocol", json_str(o, "protocol"), "port", json_object_get(o, "port"),
                          "service", json_str(o, "service"), "product", json_str(o, "product"),
                          "version", json_str(o, "version")));
    }
    return out;
}

static enum err declared(struct db *db, long long scan_id, long long org, json_t *open,
                         json_t *seen, json_t *not_seen, json_t *not_covered)
{
    struct db_stmt *s;
    enum err rc = db_prepare(db, SQL_DECLARED, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, scan_id);
    db_bind_int(s, 2, org);
    int row;
    while (!(rc = db_step(s, &row)) && row) {
        char id[24], addr[64];
        struct ipnet n;
        if (ipnet_parse(db_text(s, 3), "ip", &n) == ERR_OK)
            exposure_ip_format(&n, addr);
        else
            snprintf(addr, sizeof addr, "%s", db_text(s, 3));
        json_t *services = services_in(db_text(s, 3), open);
        long long hosts = db_int(s, 4);
        json_t *item =
            json_pack("{s:s,s:s,s:s,s:s,s:I}", "entry_id", exposure_id_text(db_int(s, 0), id),
                      "inventory", db_text(s, 1), "asset_name", db_text(s, 2), "address", addr,
                      "hosts_scanned", (json_int_t)hosts);
        if (json_array_size(services)) {
            json_object_set_new(item, "services", services);
            json_array_append_new(seen, item);
        } else {
            json_decref(services);
            json_array_append_new(hosts ? not_seen : not_covered, item);
        }
    }
    db_done(s);
    return rc;
}

enum err exposure_reconcile(struct db *db, long long org_id, long long scan_id, json_t **out)
{
    long long ids[2], hosts = 0;
    int n = 0;
    enum err rc;
    if (scan_id <= 0) {
        if ((rc = latest_scans(db, org_id, ids, &n)))
            return rc;
        if (!n)
            return errf(ERR_NOT_FOUND, "scan_id", "尚无覆盖该单位地址的扫描记录");
        scan_id = ids[0];
    } else if ((rc = reachable_scan(db, scan_id, org_id))) {
        return rc;
    }
    json_t *meta = NULL, *open = json_array(), *shadow = json_array(), *seen = json_array();
    json_t *not_seen = json_array(), *not_covered = json_array(), *o;
    struct db_stmt *s;
    if (!(rc = scan_meta(db, scan_id, 0, &meta)) && !(rc = db_prepare(db, SQL_OWNED_HOSTS, &s))) {
        db_bind_int(s, 1, scan_id);
        db_bind_int(s, 2, org_id);
        rc = db_scalar_int(s, 0, &hosts);
    }
    if (!rc)
        rc = open_services(db, scan_id, org_id, open);
    if (!rc)
        rc = declared(db, scan_id, org_id, open, seen, not_seen, not_covered);
    size_t i;
    json_array_foreach (open, i, o) {
        if (!json_is_true(json_object_get(o, "declared")))
            json_array_append(shadow, o);
    }
    char idbuf[24];
    json_t *r = json_pack(
        "{s:s,s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I},s:o,s:o,s:o,s:o}", "org_id",
        exposure_id_text(org_id, idbuf), "scan", meta ? meta : json_null(), "counts", "hosts",
        (json_int_t)hosts, "open_services", (json_int_t)json_array_size(open), "shadow",
        (json_int_t)json_array_size(shadow), "declared_seen", (json_int_t)json_array_size(seen),
        "declared_not_seen", (json_int_t)json_array_size(not_seen), "declared_not_covered",
        (json_int_t)json_array_size(not_covered), "shadow", shadow, "declared_seen", seen,
        "declared_not_seen", not_seen, "declared_not_covered", not_covered);
    json_decref(open);
    if (rc) {
        json_decref(r);
        return rc;
    }
    *out = r;
    return ERR_OK;
}

/* Difference of two scans. ---------------------------------------------------------------- */

struct svc {
    const char *hex, *addr, *protocol, *service, *product, *version;
    int port;
};

struct svc_list {
    struct svc *items;
    size_t n, cap;
    const char **hosts; /* hex of every host of the organisation the scan listed, sorted */
    size_t n_hosts, cap_hosts;
};

static int svc_cmp(const void *a, const void *b)
{
    const struct svc *x = a, *y = b;
    int c = strcmp(x->hex, y->hex);
    if (!c)
        c = strcmp(x->protocol, y->protocol);
    return c ? c : (x->port > y->port) - (x->port < y->port);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static const char SQL_DIFF_OPEN[] =
    "SELECT h.addr_hex, h.addr, p.protocol, p.port, p.service, p.product, p.version FROM "
    "exposure_scan_ports p JOIN exposure_scan_hosts h ON h.id = p.host_id WHERE p.scan_id = $1 "
    "AND p.state = 'open' AND " OWNED("$2");
static const char SQL_DIFF_HOSTS[] =
    "SELECT DISTINCT h.addr_hex FROM exposure_scan_hosts h WHERE h.scan_id = $1 AND " OWNED("$2");

static enum err load_services(struct db *db, struct arena *a, long long scan_id, long long org,
                              struct svc_list *l)
{
    struct db_stmt *s;
    int row;
    enum err rc = db_prepare(db, SQL_DIFF_OPEN, &s);
    if (rc)
        return rc;
    db_bind_int(s, 1, scan_id);
    db_bind_int(s, 2, org);
    while (!(rc = db_step(s, &row)) && row) {
        if (l->n == l->cap) {
            l->cap = l->cap ? 2 * l->cap : 64;
            l->items = xrealloc(l->items, l->cap * sizeof *l->items);
        }
        struct svc *v = &l->items[l->n++];
        v->hex = arena_strdup(a, db_text(s, 0));
        v->addr = arena_strdup(a, db_text(s, 1));
        v->protocol = arena_strdup(a, db_text(s, 2));
        v->port = (int)db_int(s, 3);
        v->service = arena_strdup(a, db_text(s, 4));
        v->product = arena_strdup(a, db_text(s, 5));
        v->version = arena_strdup(a, db_text(s, 6));
    }
    db_done(s);
    if (rc || (rc = db_prepare(db, SQL_DIFF_HOSTS, &s)))
        return rc;
    db_bind_int(s, 1, scan_id);
    db_bind_int(s, 2, org);
    while (!(rc = db_step(s, &row)) && row) {
        if (l->n_hosts == l->cap_hosts) {
            l->cap_hosts = l->cap_hosts ? 2 * l->cap_hosts : 64;
            l->hosts = xrealloc(l->hosts, l->cap_hosts * sizeof *l->hosts);
        }
        l->hosts[l->n_hosts++] = arena_strdup(a, db_text(s, 0));
    }
    db_done(s);
    if (l->n)
        qsort(l->items, l->n, sizeof *l->items, svc_cmp);
    if (l->n_hosts)
        qsort(l->hosts, l->n_hosts, sizeof *l->hosts, str_cmp);
    return rc;
}

static int has_host(const struct svc_list *l, const char *hex)
{
    return l->n_hosts && bsearch(&hex, l->hosts, l->n_hosts, sizeof *l->hosts, str_cmp) != NULL;
}

static json_t *svc_json(const struct svc *v)
{
    return json_pack("{s:s,s:s,s:i,s:s,s:s,s:s}", "address", v->addr, "protocol", v->protocol,
                     "port", v->port, "service", v->service, "product", v->product, "version",
                     v->version);
}

static int same_service(const struct svc *x, const struct svc *y)
{
    return !strcmp(x->service, y->service) && !strcmp(x->product, y->product) &&
           !strcmp(x->version, y->version);
}

/* Walks both sorted lists once. */
static json_t *merge(const struct svc_list *from, const struct svc_list *to)
{
    json_t *opened = json_array(), *closed = json_array(), *changed = json_array();
    json_t *unverified = json_array();
    size_t i = 0, j = 0;
    while (i < from->n || j < to->n) {
        int c = i == from->n ? 1 : j == to->n ? -1 : svc_cmp(&from->items[i], &to->items[j]);
        if (c < 0) {
            const struct svc *v = &from->items[i++];
            json_array_append_new(has_host(to, v->hex) ? closed : unverified, svc_json(v));
        } else if (c > 0) {
            const struct svc *v = &to->items[j++];
            json_t *item = svc_json(v);
            json_object_set_new(item, "host_scanned_before", json_boolean(has_host(from, v->hex)));
            json_array_append_new(opened, item);
        } else {
            const struct svc *x = &from->items[i++], *y = &to->items[j++];
            if (!same_service(x, y)) {
                json_t *item = json_pack("{s:s,s:s,s:i}", "address", y->addr, "protocol",
                                         y->protocol, "port", y->port);
                json_object_set_new(item, "before",
                                    json_pack("{s:s,s:s,s:s}", "service", x->service, "product",
                                              x->product, "version", x->version));
                json_object_set_new(item, "after",
                                    json_pack("{s:s,s:s,s:s}", "service", y->service, "product",
                                              y->product, "version", y->version));
                json_array_append_new(changed, item);
            }
        }
    }
    return json_pack("{s:{s:I,s:I,s:I,s:I},s:o,s:o,s:o,s:o}", "counts", "opened",
                     (json_int_t)json_array_size(opened), "closed",
                     (json_int_t)json_array_size(closed), "changed",
                     (json_int_t)json_array_size(changed), "unverified",
                     (json_int_t)json_array_size(unverified), "opened", opened, "closed", closed,
                     "changed", changed, "unverified", unverified);
}

enum err exposure_scan_diff(struct db *db, long long org_id, long long from, long long to,
                            json_t **out)
{
    enum err rc;
    if ((from > 0) != (to > 0))
        return errf(ERR_VALIDATION, from > 0 ? "to" : "from", "请同时指定 from 和 to 两次扫描");
    if (from <= 0) {
        long long ids[2];
        int n;
        if ((rc = latest_scans(db, org_id, ids, &n)))
            return rc;
        if (n < 2)
            return errf(ERR_NOT_FOUND, "scan_id", "覆盖该单位地址的扫描少于两次");
        from = ids[1];
        to = ids[0];
    } else if ((rc = reachable_scan(db, from, org_id)) || (rc = reachable_scan(db, to, org_id))) {
        return rc;
    }
    struct arena a;
    struct svc_list lf = {0}, lt = {0};
    json_t *mf = NULL, *mt = NULL;
    arena_init(&a);
    if (!(rc = load_services(db, &a, from, org_id, &lf)) &&
        !(rc = load_services(db, &a, to, org_id, &lt)) && !(rc = scan_meta(db, from, 0, &mf)))
        rc = scan_meta(db, to, 0, &mt);
    json_t *diff = NULL;
    if (!rc) {
        char idbuf[24];
        diff = merge(&lf, &lt);
        json_object_set_new(diff, "org_id", json_string(exposure_id_text(org_id, idbuf)));
        json_object_set_new(diff, "from", mf);
        json_object_set_new(diff, "to", mt);
    } else {
        json_decref(mf);
        json_decref(mt);
    }
    free(lf.items);
    free(lt.items);
    free(lf.hosts);
    free(lt.hosts);
    arena_release(&a);
    if (rc)
        return rc;
    *out = diff;
    return ERR_OK;
}
