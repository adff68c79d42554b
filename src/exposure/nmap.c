/* nmap XML scan results through expat, element by element, with every size bounded. The state is
 * a stack of the elements the parser is inside (only the ones that matter are told apart), the
 * host and port being filled, and arrays grown by doubling in the arena. */
#include <arpa/inet.h>
#include <expat.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nmap.h"

enum el {
    EL_OTHER,
    EL_NMAPRUN,
    EL_HOST,
    EL_HOSTNAMES,
    EL_PORTS,
    EL_PORT,
    EL_RUNSTATS,
};

struct parser {
    XML_Parser xp;
    struct arena *a;
    struct nmap_limits lim;
    struct nmap_scan *scan;
    enum el *stack; /* lim.max_depth entries */
    size_t depth;
    size_t cap_hosts, cap_ports;
    struct nmap_host *host; /* being filled, NULL outside <host> */
    struct nmap_port *port; /* being filled, NULL outside <port> */
    enum err rc;
};

static void resolve(const struct nmap_limits *in, struct nmap_limits *out)
{
    static const struct nmap_limits defaults = {
        .max_bytes = 64u << 20,
        .max_hosts = 65536,
        .max_ports = 1000000,
        .max_depth = 32,
        .max_attr = 64u << 10,
    };
    *out = in ? *in : defaults;
    if (!out->max_bytes || out->max_bytes > INT_MAX)
        out->max_bytes = out->max_bytes ? INT_MAX : defaults.max_bytes;
    if (!out->max_hosts)
        out->max_hosts = defaults.max_hosts;
    if (!out->max_ports)
        out->max_ports = defaults.max_ports;
    if (!out->max_depth || out->max_depth > 1024)
        out->max_depth = out->max_depth ? 1024 : defaults.max_depth;
    if (!out->max_attr)
        out->max_attr = defaults.max_attr;
}

/* Records the first error with the current line and stops expat; later callbacks do nothing. */
static void fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct parser *p, const char *fmt, ...)
{
    if (p->rc)
        return;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    p->rc = errf(ERR_VALIDATION, "file", "第 %lu 行：%s",
                 (unsigned long)XML_GetCurrentLineNumber(p->xp), msg);
    XML_StopParser(p->xp, XML_FALSE);
}

static const char *attr(const XML_Char **atts, const char *name)
{
    for (; atts[0]; atts += 2)
        if (!strcmp(atts[0], name))
            return atts[1];
    return NULL;
}

/* Values that recur on every port are shared instead of copied. */
static const char *intern(struct parser *p, const char *v)
{
    static const char *const common[] = {
        "",           "open",    "closed", "filtered",    "open|filtered", "closed|filtered",
        "unfiltered", "syn-ack", "reset",  "no-response", "tcp",           "udp",
        "sctp",       "ip",      "up",     "down"};
    if (!v)
        return "";
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        if (!strcmp(v, common[i]))
            return common[i];
    return arena_strdup(p->a, v);
}

/* A decimal number of at most 13 digits into *out; -1 when v is not one. */
static int decimal(const char *v, long long *out)
{
    size_t n = v ? strlen(v) : 0;
    if (!n || n > 13 || strspn(v, "0123456789") != n)
        return -1;
    long long x = 0;
    for (size_t i = 0; i < n; i++)
        x = x * 10 + (v[i] - '0');
    *out = x;
    return 0;
}

/* An optional time attribute: 0 when absent, an error when not a number. */
static int time_attr(struct parser *p, const XML_Char **atts, const char *name, long long *out)
{
    const char *v = attr(atts, name);
    *out = 0;
    if (v && decimal(v, out)) {
        fail(p, "时间 %s 不是十进制秒数", name);
        return -1;
    }
    return 0;
}

static void *grow(struct parser *p, void *old, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return old;
    size_t want = *cap ? *cap * 2 : 8;
    void *fresh = arena_alloc(p->a, want * size);
    if (n)
        memcpy(fresh, old, n * size);
    *cap = want;
    return fresh;
}

static void nmaprun_start(struct parser *p, const XML_Char **atts)
{
    struct nmap_scan *s = p->scan;
    s->scanner = intern(p, attr(atts, "scanner"));
    s->version = intern(p, attr(atts, "version"));
    s->args = intern(p, attr(atts, "args"));
    time_attr(p, atts, "start", &s->start);
}

static void host_start(struct parser *p, const XML_Char **atts)
{
    struct nmap_scan *s = p->scan;
    if (s->n_hosts >= p->lim.max_hosts) {
        fail(p, "主机过多（最多 %zu 个）", p->lim.max_hosts);
        return;
    }
    s->hosts = grow(p, s->hosts, s->n_hosts, &p->cap_hosts, sizeof *s->hosts);
    p->host = &s->hosts[s->n_hosts++];
    memset(p->host, 0, sizeof *p->host);
    p->host->status = "unknown";
    p->host->hostname = "";
    p->cap_ports = 0;
    if (!time_attr(p, atts, "starttime", &p->host->start))
        time_attr(p, atts, "endtime", &p->host->end);
}

static void address_start(struct parser *p, const XML_Char **atts)
{
    const char *addr = attr(atts, "addr"), *type = attr(atts, "addrtype");
    if (type && strcmp(type, "ipv4") && strcmp(type, "ipv6"))
        return; /* a MAC address */
    if (p->host->addr)
        return; /* the first IP address names the host */
    int v6 = type ? !strcmp(type, "ipv6") : addr && strchr(addr, ':') != NULL;
    unsigned char raw[16];
    char text[INET6_ADDRSTRLEN];
    if (!addr || strlen(addr) >= INET6_ADDRSTRLEN ||
        inet_pton(v6 ? AF_INET6 : AF_INET, addr, raw) != 1) {
        fail(p, "主机地址不是合法的 %s 地址：%.64s", v6 ? "IPv6" : "IPv4", addr ? addr : "");
        return;
    }
    struct nmap_host *h = p->host;
    if (v6) {
        memcpy(h->ip, raw, 16);
        inet_ntop(AF_INET6, raw, text, sizeof text);
    } else {
        static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        memcpy(h->ip, mapped, 12);
        memcpy(h->ip + 12, raw, 4);
        inet_ntop(AF_INET, raw, text, sizeof text);
    }
    h->addr = arena_strdup(p->a, text);
}

static void port_start(struct parser *p, const XML_Char **atts)
{
    struct nmap_scan *s = p->scan;
    struct nmap_host *h = p->host;
    const char *proto = attr(atts, "protocol"), *id = attr(atts, "portid");
    long long port;
    if (s->n_ports >= p->lim.max_ports) {
        fail(p, "端口记录过多（最多 %zu 个）", p->lim.max_ports);
        return;
    }
    if (!proto || (strcmp(proto, "tcp") && strcmp(proto, "udp") && strcmp(proto, "sctp") &&
                   strcmp(proto, "ip"))) {
        fail(p, "端口协议应为 tcp、udp、sctp 或 ip");
        return;
    }
    if (decimal(id, &port) || port > 65535) {
        fail(p, "端口号应为 0 至 65535 的整数");
        return;
    }
    h->ports = grow(p, h->ports, h->n_ports, &p->cap_ports, sizeof *h->ports);
    p->port = &h->ports[h->n_ports++];
    s->n_ports++;
    struct nmap_port *o = p->port;
    o->protocol = intern(p, proto);
    o->port = (int)port;
    o->state = o->reason = o->service = o->product = o->version = o->extrainfo = o->tunnel = "";
}

/* Which element name, at which place, the parser cares about. */
static enum el classify(enum el parent, const char *name)
{
    static const struct {
        enum el parent;
        const char *name;
        enum el kind;
    } places[] = {
        {EL_NMAPRUN, "host", EL_HOST},        {EL_NMAPRUN, "runstats", EL_RUNSTATS},
        {EL_HOST, "hostnames", EL_HOSTNAMES}, {EL_HOST, "ports", EL_PORTS},
        {EL_PORTS, "port", EL_PORT},
    };
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++)
        if (places[i].parent == parent && !strcmp(places[i].name, name))
            return places[i].kind;
    return EL_OTHER;
}

/* The attributes of leaf elements read in place: status, address, hostname, state, service,
 * finished. */
static void leaf(struct parser *p, enum el parent, const char *name, const XML_Char **atts)
{
    if (parent == EL_HOST && !strcmp(name, "status")) {
        p->host->status = intern(p, attr(atts, "state"));
        if (!*p->host->status)
            p->host->status = "unknown";
    } else if (parent == EL_HOST && !strcmp(name, "address")) {
        address_start(p, atts);
    } else if (parent == EL_HOSTNAMES && !strcmp(name, "hostname")) {
        const char *v = attr(atts, "name");
        if (v && !*p->host->hostname)
            p->host->hostname = intern(p, v);
    } else if (parent == EL_PORT && !strcmp(name, "state")) {
        p->port->state = intern(p, attr(atts, "state"));
        p->port->reason = intern(p, attr(atts, "reason"));
    } else if (parent == EL_PORT && !strcmp(name, "service")) {
        struct nmap_port *o = p->port;
        o->service = intern(p, attr(atts, "name"));
        o->product = intern(p, attr(atts, "product"));
        o->version = intern(p, attr(atts, "version"));
        o->extrainfo = intern(p, attr(atts, "extrainfo"));
        o->tunnel = intern(p, attr(atts, "tunnel"));
    } else if (parent == EL_RUNSTATS && !strcmp(name, "finished")) {
        time_attr(p, atts, "time", &p->scan->finished);
    }
}

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    struct parser *p = ud;
    if (p->rc)
        return;
    if (p->depth >= p->lim.max_depth) {
        fail(p, "元素嵌套过深（最多 %zu 层）", p->lim.max_depth);
        return;
    }
    for (const XML_Char **a = atts; a[0]; a += 2)
        if (strlen(a[1]) > p->lim.max_attr) {
            fail(p, "属性 %.32s 过长（最多 %zu 字节）", a[0], p->lim.max_attr);
            return;
        }
    enum el kind = EL_OTHER, parent = p->depth ? p->stack[p->depth - 1] : EL_OTHER;
    if (!p->depth) {
        if (strcmp(name, "nmaprun")) {
            fail(p, "不是 nmap 扫描结果（根元素应为 nmaprun，而不是 %.32s）", name);
            return;
        }
        kind = EL_NMAPRUN;
        nmaprun_start(p, atts);
    } else {
        kind = classify(parent, name);
        if (kind == EL_HOST)
            host_start(p, atts);
        else if (kind == EL_PORT)
            port_start(p, atts);
        else if (kind == EL_OTHER)
            leaf(p, parent, name, atts);
    }
    if (p->rc)
        return;
    p->stack[p->depth++] = kind;
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
    struct parser *p = ud;
    (void)name;
    if (p->rc || !p->depth)
        return;
    enum el kind = p->stack[--p->depth];
    if (kind == EL_PORT) {
        if (!strcmp(p->port->state, "open"))
            p->scan->n_open++;
        p->port = NULL;
    } else if (kind == EL_HOST) {
        if (!p->host->addr) {
            fail(p, "主机缺少 IPv4 或 IPv6 地址");
            return;
        }
        if (!strcmp(p->host->status, "up"))
            p->scan->n_up++;
        p->host = NULL;
    }
}

/* nmap writes a bare <!DOCTYPE nmaprun>; anything more could declare entities or fetch a DTD. */
static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
                               const XML_Char *pubid, int has_internal_subset)
{
    struct parser *p = ud;
    if (strcmp(name, "nmaprun") || sysid || pubid || has_internal_subset)
        fail(p, "不接受 DTD 声明（只允许 <!DOCTYPE nmaprun>）");
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param, const XML_Char *value,
                              int value_len, const XML_Char *base, const XML_Char *sysid,
                              const XML_Char *pubid, const XML_Char *notation)
{
    (void)name, (void)is_param, (void)value, (void)value_len, (void)base, (void)sysid;
    (void)pubid, (void)notation;
    fail(ud, "不接受实体声明");
}

static void XMLCALL on_skipped(void *ud, const XML_Char *name, int is_param)
{
    (void)is_param;
    fail(ud, "未定义的实体：%.32s", name);
}

enum err nmap_parse(struct arena *a, const char *data, size_t len, const struct nmap_limits *lim,
                    struct nmap_scan *out)
{
    struct parser p = {0};
    memset(out, 0, sizeof *out);
    resolve(lim, &p.lim);
    if (len > p.lim.max_bytes)
        return errf(ERR_VALIDATION, "file", "扫描结果文件过大（最多 %zu 字节）", p.lim.max_bytes);
    if (!len)
        return errf(ERR_VALIDATION, "file", "扫描结果文件为空");
    struct nmap_scan scan = {0};
    p.a = a;
    p.scan = &scan;
    p.stack = arena_alloc(a, p.lim.max_depth * sizeof *p.stack);
    p.xp = XML_ParserCreate(NULL);
    if (!p.xp)
        die_oom();
    XML_SetUserData(p.xp, &p);
    XML_SetElementHandler(p.xp, on_start, on_end);
    XML_SetStartDoctypeDeclHandler(p.xp, on_doctype);
    XML_SetEntityDeclHandler(p.xp, on_entity);
    XML_SetSkippedEntityHandler(p.xp, on_skipped);
    XML_SetParamEntityParsing(p.xp, XML_PARAM_ENTITY_PARSING_NEVER);
    enum XML_Status st = XML_Parse(p.xp, data, (int)len, 1);
    if (!p.rc && st != XML_STATUS_OK)
        p.rc = errf(ERR_VALIDATION, "file", "第 %lu 行：不是合法的 XML（%s）",
                    (unsigned long)XML_GetCurrentLineNumber(p.xp),
                    XML_ErrorString(XML_GetErrorCode(p.xp)));
    XML_ParserFree(p.xp);
    if (p.rc)
        return p.rc;
    *out = scan;
    return ERR_OK;
}
