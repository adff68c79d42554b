/* R4 exposure surface rules: inventories and columns of annex 4, the office-exit limit of
 * seed 000 §五, and address cells. Pure functions, no I/O. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "rules.h"

static const char *const CODES[EXPOSURE__COUNT] = {"office", "vpn", "zero_trust"};
static const char *const NAMES[EXPOSURE__COUNT] = {"办公网互联网出入口", "VPN出入口",
                                                   "零信任网络出入口"};
/* Annex 4, word for word. */
static const char *const HEADINGS[EXPOSURE__COUNT] = {
    "一、办公网互联网出入口情况", "二、虚拟专用网络（VPN）出入口情况", "三、零信任网络出入口情况"};

const char *exposure_inventory_code(enum exposure_inventory inv)
{
    return inv < EXPOSURE__COUNT ? CODES[inv] : "";
}

const char *exposure_inventory_name(enum exposure_inventory inv)
{
    return inv < EXPOSURE__COUNT ? NAMES[inv] : "";
}

const char *exposure_inventory_heading(enum exposure_inventory inv)
{
    return inv < EXPOSURE__COUNT ? HEADINGS[inv] : "";
}

int exposure_inventory_parse(const char *code)
{
    for (int i = 0; code && i < EXPOSURE__COUNT; i++)
        if (!strcmp(code, CODES[i]))
            return i;
    return -1;
}

/* Annex 4, 一、办公网互联网出入口情况. */
static const struct exposure_column OFFICE[] = {
    {EC_SEQ, "序号", "seq", 20},
    {EC_OWNER, "责任主体", "owner", 200},
    {EC_ASSET_NAME, "资产名称", "asset_name", 200},
    {EC_ASSET_TYPE, "资产类型", "asset_type", 100},
    {EC_IP, "IP 地址", "ip", 4000},
    {EC_REACHABLE, "可访问的网络和系统", "reachable", 2000},
    {EC_OTHER, "其他", "other", 2000},
};
/* Annex 4, 二、虚拟专用网络（VPN）出入口情况 and 三、零信任网络出入口情况. */
static const struct exposure_column REMOTE[] = {
    {EC_SEQ, "序号", "seq", 20},
    {EC_OWNER, "责任主体", "owner", 200},
    {EC_ASSET_NAME, "资产名称", "asset_name", 200},
    {EC_ASSET_TYPE, "资产类型", "asset_type", 100},
    {EC_IP, "IP 地址", "ip", 4000},
    {EC_SOFTWARE, "软件类型、版本", "software", 500},
    {EC_PURPOSE, "用途描述", "purpose", 2000},
    {EC_REACHABLE, "可访问的网络和系统", "reachable", 2000},
    {EC_OTHER, "其他", "other", 2000},
};

const struct exposure_column *exposure_columns(enum exposure_inventory inv, size_t *n)
{
    if (inv == EXPOSURE_OFFICE) {
        *n = sizeof OFFICE / sizeof OFFICE[0];
        return OFFICE;
    }
    *n = sizeof REMOTE / sizeof REMOTE[0];
    return REMOTE;
}

int exposure_has_column(enum exposure_inventory inv, enum exposure_col col)
{
    return inv != EXPOSURE_OFFICE || (col != EC_SOFTWARE && col != EC_PURPOSE);
}

/* Length of a separator (or of blank space) at p: ASCII ; , space tab CR LF, or the full-width
 * ；，、 and the ideographic space; 0 when p does not start one. */
static size_t separator(const char *p)
{
    static const char *const wide[] = {"\xef\xbc\x9b", "\xef\xbc\x8c", "\xe3\x80\x81",
                                       "\xe3\x80\x80"};
    if (*p && strchr(";, \t\r\n", *p))
        return 1;
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
        if (!strncmp(p, wide[i], 3))
            return 3;
    return 0;
}

/* Copies s without blank space (ASCII white space, the ideographic space) into out[size]. */
static void squash(const char *s, char *out, size_t size)
{
    size_t k = 0;
    while (*s && k + 1 < size) {
        if (strchr(" \t\r\n", *s))
            s++;
        else if (!strncmp(s, "\xe3\x80\x80", 3))
            s += 3;
        else
            out[k++] = *s++;
    }
    out[k] = '\0';
}

int exposure_column_find(const char *h)
{
    char want[128], have[128];
    squash(h, want, sizeof want);
    for (size_t i = 0; i < sizeof REMOTE / sizeof REMOTE[0]; i++) {
        squash(REMOTE[i].header, have, sizeof have);
        if (!strcmp(want, have) || !strcmp(want, REMOTE[i].field))
            return (int)REMOTE[i].col;
    }
    return -1;
}

static const struct exposure_ruleset DEFAULT_RULES = {
    .version = "seed000-5",
    .source = "工网安函〔2025〕331号 五、做好暴露面风险管理：基础电信企业省级公司办公网互联网出入口"
              "数量原则上不超过2个，有特殊情况的需向集团公司报备",
    .max_office_exits = 2,
};

const struct exposure_ruleset *exposure_ruleset_default(void)
{
    return &DEFAULT_RULES;
}

enum err exposure_ruleset_check(const struct exposure_ruleset *rs)
{
    if (!rs || !rs->version[0] || !memchr(rs->version, '\0', sizeof rs->version))
        return errf(ERR_VALIDATION, "version", "规则版本不能为空");
    if (rs->max_office_exits < 0 || rs->max_office_exits > 100)
        return errf(ERR_VALIDATION, "max_office_exits", "办公网互联网出入口上限应为 0 至 100");
    return ERR_OK;
}

int exposure_exit_rule_applies(const char *org_kind)
{
    return org_kind && !strcmp(org_kind, "telecom_provincial");
}

enum err exposure_exit_check(const struct exposure_ruleset *rs, const char *org_kind, int exits,
                             int reported, struct exposure_exit_verdict *out)
{
    if (exposure_ruleset_check(rs))
        return errf(ERR_VALIDATION, "ruleset", "出入口规则不合法：%s", err_last()->msg);
    if (exits < 0 || reported < 0 || reported > exits)
        return errf(ERR_VALIDATION, "exits", "出入口数 %d、已报备数 %d 不合法", exits, reported);
    struct exposure_exit_verdict v = {0};
    v.applies = exposure_exit_rule_applies(org_kind);
    v.limit = rs->max_office_exits;
    v.exits = exits;
    v.reported = reported;
    v.excess = exits - reported - v.limit > 0 ? exits - reported - v.limit : 0;
    v.violation = v.applies && v.excess > 0;
    *out = v;
    return ERR_OK;
}

enum err exposure_ip_parse(const char *cell, const char *field, struct ipnet *out, size_t max,
                           size_t *n)
{
    const char *p = cell ? cell : "";
    *n = 0;
    for (;;) {
        size_t sep;
        while ((sep = separator(p)))
            p += sep;
        if (!*p)
            break;
        const char *start = p;
        while (*p && !separator(p))
            p++;
        size_t len = (size_t)(p - start);
        char item[64];
        if (len >= sizeof item)
            return errf(ERR_VALIDATION, field, "IP 地址不合法：%.40s…", start);
        memcpy(item, start, len);
        item[len] = '\0';
        if (*n >= max)
            return errf(ERR_VALIDATION, field, "IP 地址过多（一格最多 %zu 个）", max);
        struct ipnet net;
        if (ipnet_parse(item, field, &net))
            return ERR_VALIDATION; /* ipnet_parse named the item */
        for (size_t i = 0; i < *n; i++)
            if (exposure_dup_kind(&out[i], &net) == EXPOSURE_DUP_SAME)
                return errf(ERR_VALIDATION, field, "同一格中重复填写了 %s", item);
        out[(*n)++] = net;
    }
    if (!*n)
        return errf(ERR_VALIDATION, field, "IP 地址不能为空");
    return ERR_OK;
}

void exposure_ip_format(const struct ipnet *n, char out[64])
{
    if (n->prefix != 128) {
        ipnet_format(n, out);
        return;
    }
    char addr[INET6_ADDRSTRLEN];
    if (n->v4)
        inet_ntop(AF_INET, n->addr + 12, addr, sizeof addr);
    else
        inet_ntop(AF_INET6, n->addr, addr, sizeof addr);
    snprintf(out, 64, "%s", addr);
}

int exposure_ip_public(const struct ipnet *n)
{
    static const char *const special[] = {
        "0.0.0.0/8",     "10.0.0.0/8",     "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
        "172.16.0.0/12", "192.168.0.0/16", "224.0.0.0/4",   "240.0.0.0/4", "::/128",
        "::1/128",       "fc00::/7",       "fe80::/10",     "ff00::/8",
    };
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        struct ipnet s;
        if (ipnet_parse(special[i], "ip", &s) == ERR_OK && ipnet_overlap(&s, n))
            return 0;
    }
    err_clear();
    return 1;
}

enum exposure_dup exposure_dup_kind(const struct ipnet *a, const struct ipnet *b)
{
    if (!ipnet_overlap(a, b))
        return EXPOSURE_DUP_NONE;
    if (a->prefix == b->prefix)
        return EXPOSURE_DUP_SAME;
    return a->prefix < b->prefix ? EXPOSURE_DUP_CONTAINS : EXPOSURE_DUP_INSIDE;
}

const char *exposure_dup_code(enum exposure_dup d)
{
    static const char *const codes[] = {"none", "same", "contains", "inside"};
    return d <= EXPOSURE_DUP_INSIDE ? codes[d] : "none";
}
