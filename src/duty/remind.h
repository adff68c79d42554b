/* Reminders of open duties (issue 4): before each lead time of remind-leads and the day after the
 * due date, one message per duty, lead, channel and target, by e-mail (libcurl SMTP) or webhook
 * (企业微信, 钉钉, 飞书 group robots, plain JSON). reminders_sent records each one; a failure is
 * retried on later passes up to REMIND_MAX_ATTEMPTS. Also the iCalendar feed's text helpers. */
#ifndef FANGHU_REMIND_H
#define FANGHU_REMIND_H
#include <jansson.h>
#include <stddef.h>

#include "date.h"
#include "err.h"

struct store;

enum { REMIND_MAX_ATTEMPTS = 5, REMIND_MAX_LEADS = 8 };

/* What one pass did. */
struct remind_stats {
    long long due;     /* (duty, lead, channel) pairs whose reminder is due now */
    long long sent;    /* delivered in this pass */
    long long failed;  /* attempted and failed in this pass (retried next time) */
    long long skipped; /* already sent, given up after the last attempt, or being sent elsewhere */
    long long no_smtp; /* e-mail reminders held back because smtp-url / smtp-from are not set */
};

/* One pass over the open duties as of today (Asia/Shanghai): collects and claims what is due in
 * one short write transaction, delivers with no transaction open, then records each outcome in
 * its own short transaction. Safe to run from several processes at once (a claim is a row of
 * status "sending"). Errors are database errors; delivery failures are only counted. */
enum err remind_run(struct store *st, struct date today, struct remind_stats *stats);

/* The lead labels: "30", "7", "1" … from remind-leads, and "overdue" (the day after the due
 * date). Writes into label[12] the lead whose reminder is due for a duty due on `due` as of
 * today — the nearest one already reached, so a late pass sends that one and never a staler one —
 * and returns 1; returns 0 when none is reached yet. leads are whole days, any order. */
int remind_lead_due(const int *leads, int n_leads, struct date due, struct date today,
                    char label[12]);
/* Parses remind-leads ("30,7,1") into leads[REMIND_MAX_LEADS]; returns how many. */
int remind_leads_parse(const char *spec, int leads[REMIND_MAX_LEADS]);
/* Chinese description of a lead label ("到期前 7 日", "逾期次日"). */
const char *remind_lead_name(const char *label, char buf[32]);

/* Channel kinds: email, webhook_json, wecom, dingtalk, feishu. */
int remind_kind_valid(const char *kind);
const char *remind_kind_name(const char *kind);
/* Checks a target for a kind: an e-mail address, or an http/https URL. ERR_VALIDATION naming
 * field "target" otherwise. */
enum err remind_target_check(const char *kind, const char *target);
/* The target as shown to people who may not hold the channel's secrets: an e-mail address as is,
 * a webhook URL reduced to its scheme and host (robot URLs carry their key). Into out[256]. */
void remind_target_public(const char *kind, const char *target, char out[256]);

/* A message in each of the shapes the channels take. */
struct remind_msg {
    const char *subject;  /* e-mail subject; robots' title */
    const char *text;     /* plain text: e-mail body, 飞书 */
    const char *markdown; /* 企业微信, 钉钉 */
    json_t *json;         /* webhook_json body (borrowed) */
};

/* Delivers msg to one target. Returns 0 when delivered; otherwise -1 with the reason (Chinese,
 * with the transport's detail) in error[256]. Blocks for at most a few seconds (5 s timeouts for
 * webhooks). Never call it inside a database transaction. */
int remind_deliver(const char *kind, const char *target, const struct remind_msg *msg,
                   char error[256]);

/* Sends a fixed test message to one target (POST /api/v1/reminder-channels/:id/test). */
int remind_send_test(const char *kind, const char *target, char error[256]);

/* public-url without a trailing slash, and the host part of it (for UIDs and Message-IDs). */
const char *remind_public_url(char out[1100]);
const char *remind_public_host(char out[256]);

/* The iCalendar feed (ical.c): routes are exported by remind_api.c. */
struct request;
enum err ical_feed_create(struct request *r);
enum err ical_feed_delete(struct request *r);
enum err ical_feed_status(struct request *r);
enum err ical_feed_get(struct request *r);

#endif
