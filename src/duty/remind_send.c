/* Delivery of reminders through libcurl: e-mail over SMTP (an RFC 5322 message, UTF-8 subject as
 * RFC 2047 encoded words, base64 body) and JSON webhooks in the formats of the 企业微信, 钉钉 and
 * 飞书 group robots or plain JSON. Also the validation of channel targets. */
#include <curl/curl.h>
#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "crypto.h"
#include "json.h"
#include "remind.h"
#include "sbuf.h"

enum {
    CONNECT_TIMEOUT_S = 5,
    WEBHOOK_TIMEOUT_S = 5,
    SMTP_TIMEOUT_S = 15,
    RESPONSE_MAX = 64 * 1024,
    HEADER_WORD_BYTES = 39, /* → 52 base64 characters: "Subject: " and a word fit in 76 */
};

static const struct {
    const char *code, *name;
} KINDS[] = {
    {"email", "电子邮件"},        {"webhook_json", "JSON Webhook"}, {"wecom", "企业微信群机器人"},
    {"dingtalk", "钉钉群机器人"}, {"feishu", "飞书群机器人"},
};

int remind_kind_valid(const char *kind)
{
    for (size_t i = 0; kind && i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (!strcmp(KINDS[i].code, kind))
            return 1;
    return 0;
}

const char *remind_kind_name(const char *kind)
{
    for (size_t i = 0; kind && i < sizeof KINDS / sizeof KINDS[0]; i++)
        if (!strcmp(KINDS[i].code, kind))
            return KINDS[i].name;
    return "";
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_setup(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* An addr-spec of RFC 5322 in its common dot-atom form: local@domain.tld. */
static int email_valid(const char *s)
{
    static const char LOCAL[] = "!#$%&'*+/=?^_`{|}~-.";
    const char *at = strchr(s, '@');
    size_t len = strlen(s);
    if (!at || at == s || len > 254 || at - s > 64 || strchr(at + 1, '@'))
        return 0;
    for (const char *p = s; p < at; p++)
        if (!isalnum((unsigned char)*p) && !strchr(LOCAL, *p))
            return 0;
    if (s[0] == '.' || at[-1] == '.' || strstr(s, ".."))
        return 0;
    const char *domain = at + 1, *label = domain;
    int dots = 0;
    for (const char *p = domain;; p++) {
        if (*p == '.' || !*p) {
            size_t n = (size_t)(p - label);
            if (n == 0 || n > 63 || label[0] == '-' || p[-1] == '-')
                return 0;
            if (!*p)
                break;
            dots++;
            label = p + 1;
        } else if (!isalnum((unsigned char)*p) && *p != '-') {
            return 0;
        }
    }
    return dots > 0;
}

static int url_valid(const char *s)
{
    if ((strncmp(s, "http://", 7) && strncmp(s, "https://", 8)) || strlen(s) > 2000)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
            return 0;
    pthread_once(&curl_once, curl_setup);
    CURLU *u = curl_url();
    char *host = NULL;
    int ok = curl_url_set(u, CURLUPART_URL, s, 0) == CURLUE_OK &&
             curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host && *host;
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

enum err remind_target_check(const char *kind, const char *target)
{
    if (!remind_kind_valid(kind))
        return errf(ERR_VALIDATION, "kind",
                    "渠道类型应为 email、webhook_json、wecom、dingtalk 或 feishu");
    if (!strcmp(kind, "email")) {
        if (!email_valid(target))
            return errf(ERR_VALIDATION, "target", "电子邮件地址格式不正确，例如 ops@example.com");
    } else if (!url_valid(target)) {
        return errf(ERR_VALIDATION, "target",
                    "Webhook 地址应为 http:// 或 https:// 开头的完整网址（不含空格）");
    }
    return ERR_OK;
}

void remind_target_public(const char *kind, const char *target, char out[256])
{
    if (!strcmp(kind, "email")) {
        snprintf(out, 256, "%s", target);
        return;
    }
    const char *host = strstr(target, "://");
    host = host ? host + 3 : target;
    size_t n = strcspn(host, "/?#");
    snprintf(out, 256, "%.*s%.*s/…", (int)(host - target), target, (int)n, host);
}

const char *remind_public_url(char out[1100])
{
    snprintf(out, 1100, "%s", config_str(SET_PUBLIC_URL));
    size_t n = strlen(out);
    while (n > 0 && out[n - 1] == '/')
        out[--n] = '\0';
    return out;
}

const char *remind_public_host(char out[256])
{
    const char *url = config_str(SET_PUBLIC_URL), *host = strstr(url, "://");
    host = host ? host + 3 : url;
    size_t n = host[0] == '[' ? strcspn(host, "]") + 1 : strcspn(host, ":/?#");
    snprintf(out, 256, "%.*s", (int)n, host);
    if (!out[0])
        snprintf(out, 256, "fanghu");
    return out;
}

/* Body of a response, kept up to RESPONSE_MAX. */
static size_t collect(char *data, size_t size, size_t n, void *ctx)
{
    struct sbuf *sb = ctx;
    if (sb->len < RESPONSE_MAX)
        sbuf_add(sb, data, size * n < RESPONSE_MAX - sb->len ? size * n : RESPONSE_MAX - sb->len);
    return size * n;
}

static void common_options(CURL *c, char errbuf[CURL_ERROR_SIZE], long timeout)
{
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "fanghu/" FANGHU_VERSION);
}

static void curl_failure(CURLcode cc, const char *errbuf, char error[256])
{
    snprintf(error, 256, "发送失败：%.200s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
}

/* The robots answer 200 with an error code in the body when they refuse a message:
 * 企业微信/钉钉 {"errcode":…,"errmsg":…}, 飞书 {"code":…,"msg":…}. */
static int robot_refused(const char *kind, const struct sbuf *body, char error[256])
{
    if (!strcmp(kind, "webhook_json"))
        return 0;
    json_t *v = json_loadb(body->buf, body->len, 0, NULL);
    int refused = 0;
    if (json_is_object(v)) {
        json_t *code = json_object_get(v, "errcode");
        json_t *msg = json_object_get(v, "errmsg");
        if (!code) {
            code = json_object_get(v, "code");
            msg = json_object_get(v, "msg");
        }
        if (json_is_integer(code) && json_integer_value(code) != 0) {
            refused = 1;
            snprintf(error, 256, "机器人拒绝了消息：错误码 %lld %.180s",
                     (long long)json_integer_value(code),
                     json_is_string(msg) ? json_string_value(msg) : "");
        }
    }
    json_decref(v);
    return refused;
}

static int post_json(const char *kind, const char *url, const json_t *body, char error[256])
{
    if (!body) {
        snprintf(error, 256, "消息编码失败");
        return -1;
    }
    pthread_once(&curl_once, curl_setup);
    char *payload = json_dump(body), errbuf[CURL_ERROR_SIZE] = "";
    struct sbuf response;
    sbuf_init(&response, RESPONSE_MAX + 1);
    CURL *c = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json; "
                                                         "charset=utf-8");
    int rc = -1;
    if (!c) {
        snprintf(error, 256, "发送失败：无法初始化 libcurl");
        goto out;
    }
    common_options(c, errbuf, WEBHOOK_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(payload));
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &response);
    CURLcode cc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (cc != CURLE_OK)
        curl_failure(cc, errbuf, error);
    else if (status < 200 || status > 299)
        snprintf(error, 256, "接收方返回 HTTP %ld", status);
    else if (!robot_refused(kind, &response, error))
        rc = 0;
out:
    curl_slist_free_all(headers);
    if (c)
        curl_easy_cleanup(c);
    sbuf_release(&response);
    free(payload);
    return rc;
}

static json_t *robot_body(const char *kind, const struct remind_msg *msg)
{
    if (!strcmp(kind, "wecom"))
        return json_pack("{s:s,s:{s:s}}", "msgtype", "markdown", "markdown", "content",
                         msg->markdown);
    if (!strcmp(kind, "dingtalk"))
        return json_pack("{s:s,s:{s:s,s:s}}", "msgtype", "markdown", "markdown", "title",
                         msg->subject, "text", msg->markdown);
    if (!strcmp(kind, "feishu"))
        return json_pack("{s:s,s:{s:s}}", "msg_type", "text", "content", "text", msg->text);
    return json_incref(msg->json);
}

/* RFC 2047 encoded words of at most 75 characters, split on UTF-8 character boundaries and
 * folded onto continuation lines. */
static void encoded_words(struct sbuf *out, const char *s)
{
    size_t len = strlen(s), i = 0;
    while (i < len) {
        size_t n = 0;
        while (i + n < len) {
            size_t c = 1;
            while (i + n + c < len && ((unsigned char)s[i + n + c] & 0xC0) == 0x80)
                c++;
            if (n + c > HEADER_WORD_BYTES && n > 0)
                break;
            n += c;
        }
        char b64[sodium_base64_ENCODED_LEN(HEADER_WORD_BYTES + 4, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)s + i, n,
                          sodium_base64_VARIANT_ORIGINAL);
        sbuf_addf(out, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", b64);
        i += n;
    }
}

/* The body as base64 in lines of 76 characters (RFC 2045). */
static void base64_lines(struct sbuf *out, const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i < len; i += 57) {
        size_t n = len - i < 57 ? len - i : 57;
        char b64[sodium_base64_ENCODED_LEN(57, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)s + i, n,
                          sodium_base64_VARIANT_ORIGINAL);
        sbuf_addf(out, "%s\r\n", b64);
    }
}

/* RFC 5322 §3.3 date in Asia/Shanghai. */
static void mail_date(char out[64])
{
    static const char *const DAYS[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = time(NULL) + 8 * 3600;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 64, "%s, %02d %s %04d %02d:%02d:%02d +0800", DAYS[tm.tm_wday], tm.tm_mday,
             MONTHS[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void mail_message(struct sbuf *out, const char *from, const char *to,
                         const struct remind_msg *msg)
{
    char date[64], id[33];
    const char *domain = strchr(from, '@');
    mail_date(date);
    crypto_random_hex(id, 16);
    sbuf_addf(out, "Date: %s\r\nFrom: ", date);
    encoded_words(out, "防护平台");
    sbuf_addf(out, " <%s>\r\nTo: <%s>\r\nSubject: ", from, to);
    encoded_words(out, msg->subject);
    sbuf_addf(out,
              "\r\nMessage-ID: <%s%s>\r\nMIME-Version: 1.0\r\n"
              "Content-Type: text/plain; charset=UTF-8\r\n"
              "Content-Transfer-Encoding: base64\r\nAuto-Submitted: auto-generated\r\n\r\n",
              id, domain ? domain : "@fanghu");
    base64_lines(out, msg->text);
}

struct upload {
    const char *data;
    size_t len, pos;
};

static size_t read_upload(char *buf, size_t size, size_t n, void *ctx)
{
    struct upload *u = ctx;
    size_t left = u->len - u->pos, want = size * n < left ? size * n : left;
    memcpy(buf, u->data + u->pos, want);
    u->pos += want;
    return want;
}

static int send_mail(const char *to, const struct remind_msg *msg, char error[256])
{
    const char *url = config_str(SET_SMTP_URL), *from = config_str(SET_SMTP_FROM),
               *user = config_str(SET_SMTP_USER);
    if (!*url || !*from) {
        snprintf(error, 256, "未配置发信服务器（smtp-url、smtp-from）");
        return -1;
    }
    pthread_once(&curl_once, curl_setup);
    struct sbuf mail;
    sbuf_init(&mail, 0);
    mail_message(&mail, from, to, msg);
    struct upload up = {mail.buf, mail.len, 0};
    char errbuf[CURL_ERROR_SIZE] = "", addr[300];
    int rc = -1;
    struct curl_slist *rcpt = NULL;
    CURL *c = curl_easy_init();
    if (!c) {
        snprintf(error, 256, "发送失败：无法初始化 libcurl");
        goto out;
    }
    snprintf(addr, sizeof addr, "<%s>", to);
    rcpt = curl_slist_append(NULL, addr);
    snprintf(addr, sizeof addr, "<%s>", from);
    common_options(c, errbuf, SMTP_TIMEOUT_S);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    curl_easy_setopt(c, CURLOPT_INFILESIZE, (long)mail.len);
    if (*user) {
        /* A password never travels in clear: smtp:// with a login requires STARTTLS. */
        curl_easy_setopt(c, CURLOPT_USERNAME, user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, config_str(SET_SMTP_PASSWORD));
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    } else {
        curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    }
    CURLcode cc = curl_easy_perform(c);
    if (cc != CURLE_OK)
        curl_failure(cc, errbuf, error);
    else
        rc = 0;
out:
    curl_slist_free_all(rcpt);
    if (c)
        curl_easy_cleanup(c);
    sbuf_release(&mail);
    return rc;
}

/* Cuts a message truncated by snprintf back to whole UTF-8 characters. */
static void utf8_trim(char *s)
{
    size_t n = strlen(s), start = n;
    while (start > 0 && ((unsigned char)s[start - 1] & 0xC0) == 0x80)
        start--;
    if (start == 0)
        return;
    unsigned char lead = (unsigned char)s[start - 1];
    size_t want = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (n - (start - 1) < want)
        s[start - 1] = '\0';
}

int remind_deliver(const char *kind, const char *target, const struct remind_msg *msg,
                   char error[256])
{
    int rc;
    error[0] = '\0';
    if (!strcmp(kind, "email")) {
        rc = send_mail(target, msg, error);
    } else if (!remind_kind_valid(kind)) {
        snprintf(error, 256, "未知的渠道类型 %.32s", kind);
        rc = -1;
    } else {
        json_t *body = robot_body(kind, msg);
        rc = post_json(kind, target, body, error);
        json_decref(body);
    }
    utf8_trim(error);
    return rc;
}

int remind_send_test(const char *kind, const char *target, char error[256])
{
    char base[1100];
    remind_public_url(base);
    struct sbuf text, md;
    sbuf_init(&text, 0);
    sbuf_init(&md, 0);
    sbuf_addf(&text,
              "这是一条来自防护平台的测试消息。\n收到本消息说明提醒渠道（%s）配置正确，"
              "合规事项到期前将通过此渠道发送提醒。\n平台地址：%s\n",
              remind_kind_name(kind), base);
    sbuf_addf(&md,
              "#### 防护平台提醒渠道测试\n\n收到本消息说明提醒渠道（%s）配置正确，"
              "合规事项到期前将通过此渠道发送提醒。\n\n[打开平台](%s)\n",
              remind_kind_name(kind), base);
    json_t *json = json_pack("{s:s,s:s,s:s}", "event", "test", "message", text.buf, "url", base);
    struct remind_msg msg = {"【防护】提醒渠道测试", text.buf, md.buf, json};
    int rc = remind_deliver(kind, target, &msg, error);
    json_decref(json);
    sbuf_release(&text);
    sbuf_release(&md);
    return rc;
}
