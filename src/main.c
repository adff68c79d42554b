/* fanghu: one binary for the server and the administrator's commands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "crypto.h"
#include "err.h"

static void usage(FILE *out)
{
    fputs("fanghu " FANGHU_VERSION " — 网络安全防护管理平台\n"
          "usage: fanghu COMMAND [ARGS] [--data DIR] [--db URL] [--config FILE]\n\n"
          "commands:\n"
          "  serve            start the HTTP server (API and console)\n"
          "  migrate          apply database migrations\n"
          "  user             add | passwd | disable | list\n"
          "  org              add | list\n"
          "  check-config     print the effective configuration\n"
          "  check uscc CODE  validate a 统一社会信用代码 (exit 0 valid, 1 invalid)\n"
          "  backup FILE      online backup of the SQLite database\n"
          "  audit verify     verify the audit hash chain\n"
          "  grade I R V      R1 grading of a network unit (--json)\n"
          "  mlps grade       R2 等级保护 grading (--info/--service OBJECT:DEGREE, --json)\n"
          "  risk calc        R7 risk value (--asset --threat --vuln, --json)\n"
          "  duty             recompute | list [--org ID] [--overdue] | remind (R3 deadlines)\n"
          "  ingest           EVE lines from FILE|- (--follow, --json, --dump, --overlaps)\n"
          "  import units|nmap FILE (units: CSV/XLSX, all or nothing; nmap: XML scan)\n"
          "  inspect draw     re-run a 双随机 spot-check draw from its seed (R10, --verify)\n"
          "  calendar         import | show | add-workdays | is-workday (R6 working days)\n"
          "  version          print the version\n\n"
          "`fanghu COMMAND --help` describes each command.\n",
          out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "version") || !strcmp(cmd, "--version")) {
        puts("fanghu " FANGHU_VERSION);
        return 0;
    }
    if (crypto_setup()) {
        fprintf(stderr, "fanghu: %s\n", err_last()->msg);
        return 1;
    }
    static const struct {
        const char *name;
        int (*fn)(int, char **);
    } cmds[] = {
        {"serve", cmd_serve},
        {"migrate", cmd_migrate},
        {"user", cmd_user},
        {"org", cmd_org},
        {"check-config", cmd_check_config},
        {"check", cmd_check},
        {"backup", cmd_backup},
        {"audit", cmd_audit},
        {"grade", cmd_grade},
        {"mlps", cmd_mlps},
        {"risk", cmd_risk},
        {"calendar", cmd_calendar},
        {"inspect", cmd_inspect},
        {"duty", cmd_duty_remind},
        {"duty", cmd_duty},
        {"import", cmd_import},
        {"ingest", cmd_ingest},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(cmd, cmds[i].name))
            return cmds[i].fn(argc - 2, argv + 2);
    fprintf(stderr, "fanghu: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
