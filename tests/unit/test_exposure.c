/* R4 exposure surface (src/exposure/rules.c, src/exposure/nmap.c): the office-exit limit of
 * seed 000 §五 with and without 报备, the limit as data, the template's columns, IP cells,
 * duplicate detection, and nmap XML parsing of the developer sample scan1.xml and of hostile
 * input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"
#include "err.h"
#include "exposure/nmap.h"
#include "exposure/rules.h"

/* /work/shared/data/samples/scan1.xml (nmap 7.93 -sV of 127.0.0.1), byte for byte. */
static const char SCAN1[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<!DOCTYPE nmaprun>\n"
    "<?xml-stylesheet href=\"file:///usr/bin/../share/nmap/nmap.xsl\" type=\"text/xsl\"?>\n"
    "<!-- Nmap 7.93 scan initiated Sat Nov 21 01:58:35 2026 as: nmap -sV -oX scan1.xml -p 1-20000 "
    "-&#45;exclude-ports 2024,8082,8081 127.0.0.1 -->\n"
    "<nmaprun scanner=\"nmap\" args=\"nmap -sV -oX scan1.xml -p 1-20000 -&#45;exclude-ports "
    "2024,8082,8081 127.0.0.1\" start=\"1795226315\" startstr=\"Sat Nov 21 01:58:35 2026\" "
    "version=\"7.93\" xmloutputversion=\"1.05\">\n"
    "<scaninfo type=\"syn\" protocol=\"tcp\" numservices=\"19997\" "
    "services=\"1-2023,2025-8080,8083-20000\"/>\n"
    "<verbose level=\"0\"/>\n"
    "<debugging level=\"0\"/>\n"
    "<host starttime=\"1795226316\" endtime=\"1795226490\"><status state=\"up\" "
    "reason=\"localhost-response\" reason_ttl=\"0\"/>\n"
    "<address addr=\"127.0.0.1\" addrtype=\"ipv4\"/>\n"
    "<hostnames>\n"
    "<hostname name=\"localhost\" type=\"PTR\"/>\n"
    "</hostnames>\n"
    "<ports><extraports state=\"closed\" count=\"19993\">\n"
    "<extrareasons reason=\"reset\" count=\"19993\" proto=\"tcp\" "
    "ports=\"1-2023,2025-2221,2223-8080,8083-18079,18081-18442,18444-19089,19091-20000\"/>\n"
    "</extraports>\n"
    "<port protocol=\"tcp\" portid=\"2222\"><state state=\"open\" reason=\"syn-ack\" "
    "reason_ttl=\"64\"/><service name=\"ssh\" product=\"OpenSSH\" version=\"9.2p1 Debian "
    "2+deb12u10\" extrainfo=\"protocol 2.0\" ostype=\"Linux\" method=\"probed\" "
    "conf=\"10\"><cpe>cpe:/a:openbsd:openssh:9.2p1</cpe><cpe>cpe:/o:linux:linux_kernel</cpe></"
    "service></port>\n"
    "<port protocol=\"tcp\" portid=\"18080\"><state state=\"open\" reason=\"syn-ack\" "
    "reason_ttl=\"64\"/><service name=\"http\" product=\"SimpleHTTPServer\" version=\"0.6\" "
    "extrainfo=\"Python 3.11.7\" method=\"probed\" "
    "conf=\"10\"><cpe>cpe:/a:python:simplehttpserver:0.6</cpe></service></port>\n"
    "<port protocol=\"tcp\" portid=\"18443\"><state state=\"open\" reason=\"syn-ack\" "
    "reason_ttl=\"64\"/><service name=\"http\" product=\"OpenSSL s_server -www httpd\" "
    "extrainfo=\"command line: s_server -accept 127.0.0.1:18443 -cert nmap/tls.crt -key "
    "nmap/tls.key -www\" tunnel=\"ssl\" method=\"probed\" "
    "conf=\"10\"><cpe>cpe:/a:openssl:openssl</cpe></service></port>\n"
    "<port protocol=\"tcp\" portid=\"19090\"><state state=\"open\" reason=\"syn-ack\" "
    "reason_ttl=\"64\"/></port>\n"
    "</ports>\n"
    "<times srtt=\"5\" rttvar=\"1\" to=\"100000\"/>\n"
    "</host>\n"
    "<runstats><finished time=\"1795226491\" timestr=\"Sat Nov 21 02:01:31 2026\" summary=\"Nmap "
    "done at Sat Nov 21 02:01:31 2026; 1 IP address (1 host up) scanned in 176.14 seconds\" "
    "elapsed=\"176.14\" exit=\"success\"/><hosts up=\"1\" down=\"0\" total=\"1\"/>\n"
    "</runstats>\n"
    "</nmaprun>\n";

/* R4 worked cases (seed 000 §五: 原则上不超过2个，有特殊情况的需向集团公司报备). */
static void test_exit_rule(void **state)
{
    (void)state;
    static const struct {
        const char *kind;
        int exits, reported, applies, excess, violation;
    } cases[] = {
        {"telecom_provincial", 0, 0, 1, 0, 0},
        {"telecom_provincial", 1, 0, 1, 0, 0},
        {"telecom_provincial", 2, 0, 1, 0, 0}, /* the limit itself */
        {"telecom_provincial", 3, 0, 1, 1, 1}, /* a third exit without 报备 */
        {"telecom_provincial", 3, 1, 1, 0, 0}, /* a third exit with 报备 */
        {"telecom_provincial", 4, 1, 1, 1, 1}, /* one 报备 covers one exit, not two */
        {"telecom_provincial", 4, 2, 1, 0, 0},
        {"telecom_provincial", 5, 0, 1, 3, 1},
        {"telecom_provincial", 3, 3, 1, 0, 0}, /* every exit reported */
        {"telecom_group", 5, 0, 0, 3, 0},      /* the limit binds provincial companies only */
        {"vas", 9, 0, 0, 7, 0},
        {NULL, 3, 0, 0, 1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct exposure_exit_verdict v;
        assert_int_equal(exposure_exit_check(exposure_ruleset_default(), cases[i].kind,
                                             cases[i].exits, cases[i].reported, &v),
                         ERR_OK);
        if (v.applies != cases[i].applies || v.excess != cases[i].excess ||
            v.violation != cases[i].violation)
            fail_msg("case %zu (%s, %d exits, %d reported): applies %d excess %d violation %d", i,
                     cases[i].kind ? cases[i].kind : "NULL", cases[i].exits, cases[i].reported,
                     v.applies, v.excess, v.violation);
        assert_int_equal(v.limit, 2);
        assert_int_equal(v.exits, cases[i].exits);
        assert_int_equal(v.reported, cases[i].reported);
    }
}

static void test_exit_rule_as_data(void **state)
{
    (void)state;
    const struct exposure_ruleset *d = exposure_ruleset_default();
    assert_string_equal(d->version, "seed000-5");
    assert_int_equal(d->max_office_exits, 2);
    assert_non_null(strstr(d->source, "331号"));
    assert_non_null(strstr(d->source, "不超过2个"));
    assert_int_equal(exposure_ruleset_check(d), ERR_OK);

    /* Next year's letter allows three: three exits comply, four do not. */
    struct exposure_ruleset three = {
        .version = "2026-letter", .source = "x", .max_office_exits = 3};
    struct exposure_exit_verdict v;
    assert_int_equal(exposure_exit_check(&three, "telecom_provincial", 3, 0, &v), ERR_OK);
    assert_false(v.violation);
    assert_int_equal(exposure_exit_check(&three, "telecom_provincial", 4, 0, &v), ERR_OK);
    assert_true(v.violation);
    assert_int_equal(v.excess, 1);
    struct exposure_ruleset zero = {.version = "none", .source = "", .max_office_exits = 0};
    assert_int_equal(exposure_exit_check(&zero, "telecom_provincial", 1, 0, &v), ERR_OK);
    assert_true(v.violation);

    /* Bad rulesets and counts are refused, the output untouched. */
    struct exposure_ruleset bad = three;
    bad.max_office_exits = 101;
    assert_int_equal(exposure_ruleset_check(&bad), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "max_office_exits");
    bad = three;
    bad.version[0] = '\0';
    assert_int_equal(exposure_ruleset_check(&bad), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "version");
    struct exposure_exit_verdict untouched = {.limit = 77};
    assert_int_equal(exposure_exit_check(&bad, "telecom_provincial", 1, 0, &untouched),
                     ERR_VALIDATION);
    assert_string_equal(err_last()->field, "ruleset");
    assert_int_equal(exposure_exit_check(d, "telecom_provincial", 2, 3, &untouched),
                     ERR_VALIDATION);
    assert_string_equal(err_last()->field, "exits");
    assert_int_equal(exposure_exit_check(d, "telecom_provincial", -1, 0, &untouched),
                     ERR_VALIDATION);
    assert_int_equal(untouched.limit, 77);
}

/* Annex 4's columns, exactly. */
static void test_template_columns(void **state)
{
    (void)state;
    static const char *const office[] = {"序号",    "责任主体",           "资产名称", "资产类型",
                                         "IP 地址", "可访问的网络和系统", "其他"};
    static const char *const remote[] = {
        "序号",           "责任主体", "资产名称",           "资产类型", "IP 地址",
        "软件类型、版本", "用途描述", "可访问的网络和系统", "其他"};
    size_t n;
    const struct exposure_column *c = exposure_columns(EXPOSURE_OFFICE, &n);
    assert_int_equal(n, 7);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(c[i].header, office[i]);
    for (int inv = EXPOSURE_VPN; inv <= EXPOSURE_ZERO_TRUST; inv++) {
        c = exposure_columns((enum exposure_inventory)inv, &n);
        assert_int_equal(n, 9);
        for (size_t i = 0; i < n; i++)
            assert_string_equal(c[i].header, remote[i]);
    }
    assert_string_equal(exposure_inventory_name(EXPOSURE_OFFICE), "办公网互联网出入口");
    assert_string_equal(exposure_inventory_name(EXPOSURE_VPN), "VPN出入口");
    assert_string_equal(exposure_inventory_name(EXPOSURE_ZERO_TRUST), "零信任网络出入口");
    assert_int_equal(exposure_inventory_parse("zero_trust"), EXPOSURE_ZERO_TRUST);
    assert_int_equal(exposure_inventory_parse("ZERO_TRUST"), -1);
    assert_int_equal(exposure_inventory_parse(NULL), -1);
    assert_false(exposure_has_column(EXPOSURE_OFFICE, EC_SOFTWARE));
    assert_false(exposure_has_column(EXPOSURE_OFFICE, EC_PURPOSE));
    assert_true(exposure_has_column(EXPOSURE_VPN, EC_PURPOSE));
    assert_int_equal(exposure_column_find("IP地址"), EC_IP);
    assert_int_equal(exposure_column_find(" IP 地址 "), EC_IP);
    assert_int_equal(exposure_column_find("ip"), EC_IP);
    assert_int_equal(exposure_column_find("软件类型、版本"), EC_SOFTWARE);
    assert_int_equal(exposure_column_find("可访问的网络和系统"), EC_REACHABLE);
    assert_int_equal(exposure_column_find("备注"), -1);
    assert_int_equal(exposure_column_find(""), -1);
}

static void check_cell(const char *cell, size_t want_n, const char *const *want)
{
    struct ipnet out[EXPOSURE_MAX_ADDRESSES];
    size_t n;
    if (exposure_ip_parse(cell, "ip", out, EXPOSURE_MAX_ADDRESSES, &n) != ERR_OK)
        fail_msg("%s: %s", cell, err_last()->msg);
    assert_int_equal(n, want_n);
    for (size_t i = 0; i < n; i++) {
        char text[64];
        exposure_ip_format(&out[i], text);
        assert_string_equal(text, want[i]);
    }
}

static void test_ip_cells(void **state)
{
    (void)state;
    const char *one[] = {"203.0.113.7"};
    check_cell("203.0.113.7", 1, one);
    check_cell("  203.0.113.7/32\n", 1, one);
    const char *v6[] = {"2001:db8::1"};
    check_cell("2001:DB8:0::1", 1, v6);
    const char *many[] = {"203.0.113.0/28", "2001:db8:10::/48", "198.51.100.1",
                          "198.51.100.2",   "198.51.100.3",     "198.51.100.4"};
    check_cell("203.0.113.0/28; 2001:db8:10::/48\n198.51.100.1，198.51.100.2、198.51.100.3；"
               "198.51.100.4",
               6, many);
    static const struct {
        const char *cell, *needle;
    } bad[] = {
        {"", "不能为空"},
        {" ;\n ", "不能为空"},
        {"203.0.113", "203.0.113"},
        {"203.0.113.1/24", "203.0.113.0/24"}, /* host bits set: names the network to write */
        {"203.0.113.0/33", "/32"},
        {"2001:db8::/129", "/128"},
        {"203.0.113.7; 203.0.113.7/32", "重复"},
        {"fe80::1%eth0", "fe80::1%eth0"},
        {"203.0.113.7;example.cn", "example.cn"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ipnet out[EXPOSURE_MAX_ADDRESSES];
        size_t n;
        assert_int_equal(exposure_ip_parse(bad[i].cell, "ip", out, EXPOSURE_MAX_ADDRESSES, &n),
                         ERR_VALIDATION);
        assert_string_equal(err_last()->field, "ip");
        if (!strstr(err_last()->msg, bad[i].needle))
            fail_msg("%s: message %s lacks %s", bad[i].cell, err_last()->msg, bad[i].needle);
    }
    char many_cell[2048];
    size_t used = 0;
    for (int i = 0; i < EXPOSURE_MAX_ADDRESSES + 1; i++)
        used += (size_t)snprintf(many_cell + used, sizeof many_cell - used, "198.51.100.%d;", i);
    struct ipnet out[EXPOSURE_MAX_ADDRESSES];
    size_t n;
    assert_int_equal(exposure_ip_parse(many_cell, "ip", out, EXPOSURE_MAX_ADDRESSES, &n),
                     ERR_VALIDATION);
    assert_non_null(strstr(err_last()->msg, "过多"));
}

static struct ipnet net(const char *s)
{
    struct ipnet n;
    assert_int_equal(ipnet_parse(s, "ip", &n), ERR_OK);
    return n;
}

/* The same address declared twice: exactly, or one network holding the other. */
static void test_duplicates(void **state)
{
    (void)state;
    struct ipnet a = net("203.0.113.7/32"), b = net("203.0.113.7"), c = net("203.0.113.0/24");
    struct ipnet d = net("203.0.114.0/24"), e = net("2001:db8::/32"), f = net("2001:db8:1::1");
    struct ipnet mapped = net("::ffff:203.0.113.7");
    assert_int_equal(exposure_dup_kind(&a, &b), EXPOSURE_DUP_SAME);
    assert_int_equal(exposure_dup_kind(&c, &a), EXPOSURE_DUP_CONTAINS);
    assert_int_equal(exposure_dup_kind(&a, &c), EXPOSURE_DUP_INSIDE);
    assert_int_equal(exposure_dup_kind(&c, &d), EXPOSURE_DUP_NONE);
    assert_int_equal(exposure_dup_kind(&e, &f), EXPOSURE_DUP_CONTAINS);
    assert_int_equal(exposure_dup_kind(&e, &a), EXPOSURE_DUP_NONE);
    /* An IPv4 address written as IPv4-mapped IPv6 is the same address. */
    assert_int_equal(exposure_dup_kind(&a, &mapped), EXPOSURE_DUP_SAME);
    assert_string_equal(exposure_dup_code(EXPOSURE_DUP_SAME), "same");
    assert_string_equal(exposure_dup_code(EXPOSURE_DUP_INSIDE), "inside");
}

static void test_public(void **state)
{
    (void)state;
    static const char *const private[] = {"10.1.2.3",   "172.16.0.0/12", "192.168.1.1", "127.0.0.1",
                                          "100.64.0.1", "169.254.1.1",   "::1",         "fd00::1",
                                          "fe80::1",    "0.0.0.0/0",     "224.0.0.1"};
    for (size_t i = 0; i < sizeof private / sizeof private[0]; i++) {
        struct ipnet n = net(private[i]);
        if (exposure_ip_public(&n))
            fail_msg("%s counted as public", private[i]);
    }
    static const char *const public[] = {"203.0.113.7", "8.8.8.8", "2001:db8::1", "1.0.0.0/8",
                                         "172.32.0.1"};
    for (size_t i = 0; i < sizeof public / sizeof public[0]; i++) {
        struct ipnet n = net(public[i]);
        if (!exposure_ip_public(&n))
            fail_msg("%s counted as not public", public[i]);
    }
}

static void test_nmap_scan1(void **state)
{
    (void)state;
    struct arena a;
    struct nmap_scan s;
    arena_init(&a);
    assert_int_equal(strlen(SCAN1), 2399); /* the sample's size */
    assert_int_equal(nmap_parse(&a, SCAN1, strlen(SCAN1), NULL, &s), ERR_OK);
    assert_string_equal(s.scanner, "nmap");
    assert_string_equal(s.version, "7.93");
    assert_string_equal(s.args, "nmap -sV -oX scan1.xml -p 1-20000 --exclude-ports "
                                "2024,8082,8081 127.0.0.1");
    assert_int_equal(s.start, 1795226315LL);
    assert_int_equal(s.finished, 1795226491LL);
    assert_int_equal(s.n_hosts, 1);
    assert_int_equal(s.n_up, 1);
    assert_int_equal(s.n_ports, 4);
    assert_int_equal(s.n_open, 4);
    const struct nmap_host *h = &s.hosts[0];
    assert_string_equal(h->addr, "127.0.0.1");
    static const unsigned char lo[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
    assert_memory_equal(h->ip, lo, 16);
    assert_string_equal(h->status, "up");
    assert_string_equal(h->hostname, "localhost");
    assert_int_equal(h->start, 1795226316LL);
    assert_int_equal(h->end, 1795226490LL);
    assert_int_equal(h->n_ports, 4);
    static const struct {
        int port;
        const char *service, *product, *version, *extrainfo, *tunnel;
    } want[] = {
        {2222, "ssh", "OpenSSH", "9.2p1 Debian 2+deb12u10", "protocol 2.0", ""},
        {18080, "http", "SimpleHTTPServer", "0.6", "Python 3.11.7", ""},
        {18443, "http", "OpenSSL s_server -www httpd", "",
         "command line: s_server -accept 127.0.0.1:18443 -cert nmap/tls.crt -key nmap/tls.key "
         "-www",
         "ssl"},
        {19090, "", "", "", "", ""}, /* silent listener: open, no <service> */
    };
    for (size_t i = 0; i < 4; i++) {
        const struct nmap_port *p = &h->ports[i];
        assert_string_equal(p->protocol, "tcp");
        assert_int_equal(p->port, want[i].port);
        assert_string_equal(p->state, "open");
        assert_string_equal(p->reason, "syn-ack");
        assert_string_equal(p->service, want[i].service);
        assert_string_equal(p->product, want[i].product);
        assert_string_equal(p->version, want[i].version);
        assert_string_equal(p->extrainfo, want[i].extrainfo);
        assert_string_equal(p->tunnel, want[i].tunnel);
    }
    arena_release(&a);
}

static void test_nmap_other_shapes(void **state)
{
    (void)state;
    static const char xml[] =
        "<?xml version=\"1.0\"?><nmaprun><host><status state=\"up\"/>"
        "<address addr=\"00:11:22:33:44:55\" addrtype=\"mac\"/>"
        "<address addr=\"2001:DB8::0:1\" addrtype=\"ipv6\"/><ports>"
        "<port protocol=\"udp\" portid=\"500\"><state state=\"open|filtered\"/></port>"
        "<port protocol=\"tcp\" portid=\"443\"><state state=\"open\"/>"
        "<service name=\"https\" product=\"Sangfor SSL VPN\" tunnel=\"ssl\"/></port></ports>"
        "</host><host><status state=\"down\"/><address addr=\"192.0.2.9\"/></host></nmaprun>";
    struct arena a;
    struct nmap_scan s;
    arena_init(&a);
    assert_int_equal(nmap_parse(&a, xml, sizeof xml - 1, NULL, &s), ERR_OK);
    assert_int_equal(s.n_hosts, 2);
    assert_string_equal(s.hosts[0].addr, "2001:db8::1");
    assert_string_equal(s.hosts[0].ports[0].state, "open|filtered");
    assert_string_equal(s.hosts[0].ports[1].product, "Sangfor SSL VPN");
    assert_string_equal(s.hosts[1].status, "down");
    assert_string_equal(s.hosts[1].addr, "192.0.2.9");
    assert_int_equal(s.n_open, 1);
    assert_int_equal(s.n_up, 1);
    assert_int_equal(s.start, 0);
    arena_release(&a);
}

static void refused(const char *xml, size_t len, const struct nmap_limits *lim, const char *needle)
{
    struct arena a;
    struct nmap_scan s;
    arena_init(&a);
    assert_int_equal(nmap_parse(&a, xml, len, lim, &s), ERR_VALIDATION);
    assert_string_equal(err_last()->field, "file");
    if (!strstr(err_last()->msg, needle))
        fail_msg("%.60s…: message %s lacks %s", xml, err_last()->msg, needle);
    assert_int_equal(s.n_hosts, 0);
    arena_release(&a);
}

static void test_nmap_hostile(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"<!DOCTYPE nmaprun [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;&a;\">]><nmaprun "
         "args=\"&b;\"/>",
         "DTD"},
        {"<!DOCTYPE nmaprun SYSTEM \"file:///etc/passwd\"><nmaprun/>", "DTD"},
        {"<!DOCTYPE nmaprun PUBLIC \"-//x//y\" \"http://127.0.0.1:1/x.dtd\"><nmaprun/>", "DTD"},
        {"<!DOCTYPE nmaprun []><nmaprun/>", "DTD"},
        {"<!DOCTYPE other><nmaprun/>", "DTD"},
        {"<nmaprun args=\"&x;\"/>", "undefined entity"},
        {"<html/>", "nmaprun"},
        {"not xml at all", "XML"},
        {"<nmaprun><host><address addr=\"1.2.3\"/></host></nmaprun>", "1.2.3"},
        {"<nmaprun><host><status state=\"up\"/></host></nmaprun>", "缺少"},
        {"<nmaprun><host><address addr=\"192.0.2.1\"/><ports><port protocol=\"tcp\" "
         "portid=\"65536\"/></ports></host></nmaprun>",
         "端口号"},
        {"<nmaprun><host starttime=\"soon\"><address addr=\"192.0.2.1\"/></host></nmaprun>",
         "时间"},
        {"<nmaprun><host><address addr=\"192.0.2.1\"/>", "XML"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        refused(cases[i][0], strlen(cases[i][0]), NULL, cases[i][1]);
    refused("", 0, NULL, "为空");

    /* The limits: depth, attribute length, hosts, ports, size. */
    struct nmap_limits small = {
        .max_bytes = 4096, .max_hosts = 2, .max_ports = 2, .max_depth = 8, .max_attr = 64};
    static const char deep[] = "<nmaprun><a><b><c><d><e><f><g><h/></g></f></e></d></c></b></a>"
                               "</nmaprun>";
    refused(deep, sizeof deep - 1, &small, "嵌套");
    char attr[256];
    snprintf(attr, sizeof attr, "<nmaprun args=\"%0100d\"/>", 7);
    refused(attr, strlen(attr), &small, "过长");
    static const char hosts[] = "<nmaprun><host><address addr=\"192.0.2.1\"/></host><host>"
                                "<address addr=\"192.0.2.2\"/></host><host><address "
                                "addr=\"192.0.2.3\"/></host></nmaprun>";
    refused(hosts, sizeof hosts - 1, &small, "主机过多");
    static const char ports[] = "<nmaprun><host><address addr=\"192.0.2.1\"/><ports><port "
                                "protocol=\"tcp\" portid=\"1\"/><port protocol=\"tcp\" "
                                "portid=\"2\"/><port protocol=\"tcp\" portid=\"3\"/></ports>"
                                "</host></nmaprun>";
    refused(ports, sizeof ports - 1, &small, "端口记录过多");
    struct nmap_limits tiny = {.max_bytes = 1000};
    refused(SCAN1, strlen(SCAN1), &tiny, "过大");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_rule),        cmocka_unit_test(test_exit_rule_as_data),
        cmocka_unit_test(test_template_columns), cmocka_unit_test(test_ip_cells),
        cmocka_unit_test(test_duplicates),       cmocka_unit_test(test_public),
        cmocka_unit_test(test_nmap_scan1),       cmocka_unit_test(test_nmap_other_shapes),
        cmocka_unit_test(test_nmap_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
