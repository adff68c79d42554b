/* libFuzzer target of the nmap XML parser (src/exposure/nmap.c): any input is an uploaded scan.
 * The parser's source is included here with its one external function renamed, so that the
 * libFuzzer build (which compiles only the base sources, instrumented) builds it too, and the
 * replay build (linked with the core library, which has its own copy) does not clash.
 * Checked: success or ERR_VALIDATION with a message, never a crash; on success every host has
 * a canonical address, every port a protocol and a number in range, and the counts agree with
 * the limits. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define nmap_parse fuzz_nmap_parse
#include "exposure/nmap.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct nmap_limits limits = {
    .max_bytes = 1 << 20,
    .max_hosts = 1000,
    .max_ports = 10000,
    .max_depth = 32,
    .max_attr = 4096,
};

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_nmap: %s\n", what);
        abort();
    }
}

static void check_scan(const struct nmap_scan *s)
{
    size_t ports = 0, open = 0, up = 0;
    check(s->n_hosts <= limits.max_hosts, "too many hosts");
    check(s->scanner && s->version && s->args, "missing nmaprun attribute");
    for (size_t i = 0; i < s->n_hosts; i++) {
        const struct nmap_host *h = &s->hosts[i];
        unsigned char raw[16];
        check(h->addr && h->status && h->hostname, "host field missing");
        int v6 = strchr(h->addr, ':') != NULL;
        check(inet_pton(v6 ? AF_INET6 : AF_INET, h->addr, raw) == 1, "host address unparsable");
        check(!memcmp(v6 ? h->ip : h->ip + 12, raw, v6 ? 16 : 4), "host address bytes differ");
        check(h->start >= 0 && h->end >= 0, "negative time");
        up += !strcmp(h->status, "up");
        for (size_t k = 0; k < h->n_ports; k++) {
            const struct nmap_port *p = &h->ports[k];
            check(p->port >= 0 && p->port <= 65535, "port out of range");
            check(p->protocol && p->state && p->reason && p->service && p->product && p->version &&
                      p->extrainfo && p->tunnel,
                  "port field missing");
            check(strlen(p->product) <= limits.max_attr, "attribute past the limit");
            open += !strcmp(p->state, "open");
        }
        ports += h->n_ports;
    }
    check(ports == s->n_ports && ports <= limits.max_ports, "port count");
    check(open == s->n_open && up == s->n_up, "open or up count");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    struct nmap_scan scan;
    arena_init(&a);
    if (fuzz_nmap_parse(&a, (const char *)data, size, &limits, &scan) == ERR_OK)
        check_scan(&scan);
    else
        check(err_last()->code == ERR_VALIDATION && err_last()->msg[0], "error without message");
    arena_release(&a);
    return 0;
}
