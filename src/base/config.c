/* The settings table and its four sources. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config.h"

enum kind { K_STR, K_INT, K_BOOL };

struct def {
    const char *key; /* also --key and FANGHU_KEY (upper-cased, '-' → '_') */
    enum kind kind;
    const char *fallback;
    long min, max;
    const char *help;
};

static const struct def defs[SET__COUNT] = {
    [SET_LISTEN] = {"listen", K_STR, "127.0.0.1:8080", 0, 0, "address and port to listen on"},
    [SET_DATA] = {"data", K_STR, "./fanghu-data", 0, 0, "data directory (SQLite file, uploads)"},
    [SET_DB] = {"db", K_STR, "", 0, 0, "database URL: empty = SQLite in --data, or postgresql://…"},
    [SET_WEB] = {"web", K_STR, "", 0, 0,
                 "console files (web/dist); empty = found beside the binary"},
    [SET_THREADS] = {"threads", K_INT, "4", 1, 256, "HTTP worker threads"},
    [SET_BODY_LIMIT] = {"body-limit", K_INT, "1048576", 1024, 1L << 30, "JSON body limit, bytes"},
    [SET_UPLOAD_LIMIT] = {"upload-limit", K_INT, "52428800", 1024, 1L << 31, "upload limit, bytes"},
    [SET_EXPORT_MAX_ROWS] = {"export-max-rows", K_INT, "100000", 1, 1048575,
                             "rows of a list exported as XLSX, at most"},
    [SET_SESSION_IDLE_MINUTES] = {"session-idle-minutes", K_INT, "30", 1, 1440,
                                  "session idle timeout, minutes"},
    [SET_LOCKOUT_THRESHOLD] = {"lockout-threshold", K_INT, "5", 1, 100,
                               "failed logins before an account is locked"},
    [SET_LOCKOUT_MINUTES] = {"lockout-minutes", K_INT, "15", 1, 1440, "account lock duration"},
    [SET_ADDR_MAX_FAILURES] = {"addr-max-failures", K_INT, "20", 1, 10000,
                               "failed logins from one address per 15 minutes before 429"},
    [SET_SECURE_COOKIES] = {"secure-cookies", K_BOOL, "false", 0, 0,
                            "mark cookies Secure (set when served behind TLS)"},
    [SET_CONN_TIMEOUT] = {"conn-timeout", K_INT, "30", 1, 3600, "idle connection timeout, seconds"},
    [SET_LOG_LEVEL] = {"log-level", K_STR, "info", 0, 0, "debug | info | warn | error"},
    [SET_DB_POOL] = {"db-pool", K_INT, "8", 1, 256, "database connections (PostgreSQL)"},
    [SET_REMIND_LEADS] = {"remind-leads", K_STR, "30,7,1", 0, 0,
                          "days before a due date to send reminders (plus one the day after)"},
    [SET_REMIND_INTERVAL] = {"remind-interval", K_INT, "300", 30, 86400,
                             "seconds between reminder passes"},
    [SET_SMTP_URL] =
        {"smtp-url", K_STR, "", 0, 0,
         "mail server for reminders: smtp://host:port or smtps://…; empty = no e-mail"},
    [SET_SMTP_FROM] = {"smtp-from", K_STR, "", 0, 0, "sender address of reminder e-mail"},
    [SET_SMTP_USER] = {"smtp-user", K_STR, "", 0, 0, "SMTP login (empty = none)"},
    [SET_SMTP_PASSWORD] = {"smtp-password", K_STR, "", 0, 0, "SMTP password"},
    [SET_PUBLIC_URL] = {"public-url", K_STR, "http://127.0.0.1:8080", 0, 0,
                        "base URL of the console, for links in reminders and calendar feeds"},
};

static char *values[SET__COUNT];
static const char *sources[SET__COUNT];

/* "30,7,1": distinct whole days 0..366, at most 8 (src/duty/remind.c reads them). */
static int validate_leads(const char *v)
{
    int seen[8], n = 0;
    const char *p = v;
    if (!*p)
        return -1;
    for (;;) {
        char *end;
        errno = 0;
        long days = strtol(p, &end, 10);
        if (errno || end == p || !isdigit((unsigned char)*p) || days > 366 || n == 8)
            return -1;
        for (int i = 0; i < n; i++)
            if (seen[i] == days)
                return -1;
        seen[n++] = (int)days;
        if (!*end)
            return 0;
        if (*end != ',')
            return -1;
        p = end + 1;
    }
}

static enum err validate(enum setting s, const char *v)
{
    const struct def *d = &defs[s];
    if (strlen(v) > 1024)
        return errf(ERR_VALIDATION, d->key, "配置项 %s 过长", d->key);
    if (d->kind == K_INT) {
        char *end;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (errno || end == v || *end || n < d->min || n > d->max)
            return errf(ERR_VALIDATION, d->key, "配置项 %s 应为 %ld 至 %ld 之间的整数：%s", d->key,
                        d->min, d->max, v);
    } else if (d->kind == K_BOOL) {
        if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "1") && strcmp(v, "0"))
            return errf(ERR_VALIDATION, d->key, "配置项 %s 应为 true 或 false", d->key);
    } else if (s == SET_LOG_LEVEL) {
        if (strcmp(v, "debug") && strcmp(v, "info") && strcmp(v, "warn") && strcmp(v, "error"))
            return errf(ERR_VALIDATION, d->key, "配置项 log-level 应为 debug/info/warn/error");
    } else if (s == SET_LISTEN) {
        const char *colon = strrchr(v, ':');
        if (!colon || colon == v || !colon[1] ||
            strspn(colon + 1, "0123456789") != strlen(colon + 1) ||
            strtol(colon + 1, NULL, 10) > 65535)
            return errf(ERR_VALIDATION, d->key, "listen 应为 地址:端口，例如 127.0.0.1:8080");
    } else if (s == SET_DB && *v && strncmp(v, "postgresql://", 13) &&
               strncmp(v, "postgres://", 11) && strncmp(v, "sqlite:", 7)) {
        return errf(ERR_VALIDATION, d->key, "db 应为 postgresql://… 或 sqlite:路径");
    } else if (s == SET_REMIND_LEADS && validate_leads(v)) {
        return errf(
            ERR_VALIDATION, d->key,
            "remind-leads 应为逗号分隔的天数（0 至 366，互不相同，最多 8 个），例如 30,7,1");
    } else if (s == SET_SMTP_URL && *v && strncmp(v, "smtp://", 7) && strncmp(v, "smtps://", 8)) {
        return errf(ERR_VALIDATION, d->key, "smtp-url 应为 smtp://主机:端口 或 smtps://主机:端口");
    } else if (s == SET_SMTP_FROM && *v &&
               (!strchr(v, '@') || strpbrk(v, " <>\"\r\n\t,;") || strlen(v) > 254)) {
        return errf(ERR_VALIDATION, d->key, "smtp-from 应为电子邮件地址，例如 fanghu@example.com");
    } else if (s == SET_PUBLIC_URL && ((strncmp(v, "http://", 7) && strncmp(v, "https://", 8)) ||
                                       strpbrk(v, " \"<>\\\r\n\t"))) {
        return errf(ERR_VALIDATION, d->key, "public-url 应为 http:// 或 https:// 开头的地址");
    }
    return ERR_OK;
}

enum err config_set(enum setting s, const char *value, const char *source)
{
    enum err rc = validate(s, value);
    if (rc)
        return rc;
    free(values[s]);
    values[s] = xstrdup(value);
    sources[s] = source;
    return ERR_OK;
}

static int find_key(const char *key, size_t len)
{
    for (int i = 0; i < SET__COUNT; i++)
        if (strlen(defs[i].key) == len && !strncmp(defs[i].key, key, len))
            return i;
    return -1;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static enum err load_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errf(ERR_IO, "config", "无法读取配置文件 %s", path);
    char line[2048];
    int lineno = 0;
    enum err rc = ERR_OK;
    while (!rc && fgets(line, sizeof line, f)) {
        lineno++;
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            rc = errf(ERR_VALIDATION, "config", "配置文件 %s 第 %d 行缺少 =", path, lineno);
            break;
        }
        *eq = '\0';
        char *key = trim(s), *val = trim(eq + 1);
        int i = find_key(key, strlen(key));
        if (i < 0) {
            rc = errf(ERR_VALIDATION, "config", "配置文件 %s 第 %d 行：未知配置项 %s", path, lineno,
                      key);
            break;
        }
        rc = config_set((enum setting)i, val, "file");
    }
    fclose(f);
    return rc;
}

enum err config_load(int argc, char **argv)
{
    enum err rc;
    for (int i = 0; i < SET__COUNT; i++)
        if ((rc = config_set((enum setting)i, defs[i].fallback, "default")))
            return rc;

    /* The config file is named on the command line or in the environment. */
    const char *file = getenv("FANGHU_CONFIG");
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            file = argv[i + 1];
        else if (!strncmp(argv[i], "--config=", 9))
            file = argv[i] + 9;
    }
    if (file && *file && (rc = load_file(file)))
        return rc;

    for (int i = 0; i < SET__COUNT; i++) {
        char env[64];
        snprintf(env, sizeof env, "FANGHU_%s", defs[i].key);
        for (char *p = env; *p; p++)
            *p = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
        const char *v = getenv(env);
        if (i == SET_WEB && !v)
            v = getenv("FANGHU_WEB_ROOT");
        if (v && (rc = config_set((enum setting)i, v, "environment")))
            return rc;
    }

    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2))
            return errf(ERR_VALIDATION, a, "多余的参数：%s", a);
        a += 2;
        const char *eq = strchr(a, '=');
        size_t klen = eq ? (size_t)(eq - a) : strlen(a);
        const char *val = eq ? eq + 1 : NULL;
        if (klen == 6 && !strncmp(a, "config", 6)) {
            if (!val)
                i++;
            continue;
        }
        int k = find_key(a, klen);
        if (k < 0)
            return errf(ERR_VALIDATION, argv[i], "未知选项：%s", argv[i]);
        if (!val) {
            if (i + 1 >= argc)
                return errf(ERR_VALIDATION, argv[i], "选项 %s 缺少取值", argv[i]);
            val = argv[++i];
        }
        if ((rc = config_set((enum setting)k, val, "flag")))
            return rc;
    }
    return ERR_OK;
}

const char *config_str(enum setting s)
{
    return values[s] ? values[s] : defs[s].fallback;
}

long config_int(enum setting s)
{
    return strtol(config_str(s), NULL, 10);
}

int config_bool(enum setting s)
{
    const char *v = config_str(s);
    return !strcmp(v, "true") || !strcmp(v, "1");
}

void config_print(FILE *out)
{
    for (int i = 0; i < SET__COUNT; i++) {
        const char *v = config_str((enum setting)i);
        int secret = i == SET_DB && strchr(v, '@') && strstr(v, "://");
        if ((i == SET_SMTP_PASSWORD && *v) || (i == SET_SMTP_URL && strchr(v, '@')))
            v = "(hidden)";
        fprintf(out, "%-22s = %-40s (%s)\n", defs[i].key, secret ? "postgresql://…(hidden)" : v,
                sources[i] ? sources[i] : "default");
    }
}

void config_usage(FILE *out)
{
    fprintf(out, "  --%-22s %s\n", "config FILE", "settings file of key = value lines");
    for (int i = 0; i < SET__COUNT; i++)
        fprintf(out, "  --%-22s %s (default %s)\n", defs[i].key, defs[i].help,
                *defs[i].fallback ? defs[i].fallback : "\"\"");
}
