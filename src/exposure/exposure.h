/* The internet exposure surface (互联网暴露面, R4): each organisation's three inventories of annex
 * 4 (办公网互联网出入口, VPN 出入口, 零信任网络出入口), the office-exit limit with its 报备
 * exceptions, duplicate addresses, import and export in the template's layout, and nmap scans
 * reconciled with what was declared. The functions run inside the caller's transaction and
 * write their own audit records; the HTTP handlers and the CLI share them. */
#ifndef FANGHU_EXPOSURE_H
#define FANGHU_EXPOSURE_H
#include <jansson.h>
#include <stddef.h>

#include "auth/auth.h"
#include "err.h"
#include "rules.h"

struct db;
struct audit_ctx;

/* Entries. ---------------------------------------------------------------------------------- */

/* The JSON of an entry: its fields, 序号 (seq), addresses, the 报备 exception of an office exit,
 * duplicates (the same address declared by another entry of the organisation or of another
 * one; another organisation's name and entry only when visible to c) and warnings (not a
 * public address, office exits over the limit). ERR_NOT_FOUND when absent. */
enum err exposure_entry_json(struct db *db, const struct caller *c, long long id, json_t **out);
/* The organisation owning an entry; ERR_NOT_FOUND. */
enum err exposure_entry_org(struct db *db, long long id, long long *org_id);

/* Creates an entry of org_id in inventory inv from in (owner, asset_name, asset_type, ip,
 * software, purpose, reachable, other; the caller's json_check has checked types and
 * lengths). Validates the IP cell (exposure_ip_parse); software and purpose must be empty for
 * an office exit. Errors name the field. */
enum err exposure_entry_create(struct db *db, const struct audit_ctx *ax, long long org_id,
                               enum exposure_inventory inv, json_t *in, long long *id);
/* Partial update with the same rules. */
enum err exposure_entry_update(struct db *db, const struct audit_ctx *ax, long long id, json_t *in);
/* Deletes an entry, its addresses and its exception. */
enum err exposure_entry_delete(struct db *db, const struct audit_ctx *ax, long long id);

/* Records (or replaces) the 报备 of an office exit: reason, reported_to (default: the parent
 * organisation's name, normally the group company), reported_on (YYYY-MM-DD, not after today).
 * Errors: ERR_VALIDATION for an entry that is not an office exit or a field at fault. */
enum err exposure_exception_set(struct db *db, const struct audit_ctx *ax, long long id,
                                json_t *in);
/* Removes it; ERR_NOT_FOUND when there is none. */
enum err exposure_exception_delete(struct db *db, const struct audit_ctx *ax, long long id);

/* The office-exit rule. ------------------------------------------------------------------- */

/* The ruleset in force: the newest stored version, else exposure_ruleset_default(). */
enum err exposure_ruleset_current(struct db *db, struct exposure_ruleset *out);
/* {"current": RULESET, "versions": [RULESET…]} with the built-in default listed last. */
enum err exposure_rulesets_json(struct db *db, json_t **out);
/* Adds a version (version, max_office_exits, source) that applies from now on. ERR_CONFLICT
 * when the version exists (or is the built-in one's). */
enum err exposure_ruleset_add(struct db *db, const struct audit_ctx *ax, json_t *in);

/* The verdict of one organisation (whatever its kind: applies says whether the limit binds). */
enum err exposure_org_verdict(struct db *db, long long org_id, struct exposure_exit_verdict *out);
/* Violations of the office-exit limit among the organisations visible to c: an array of
 * {org_id, org_name, org_kind, province, exits, reported, limit, excess, message, ruleset,
 * unreported: [{id, seq, asset_name, ip}]}, worst first. */
enum err exposure_violations(struct db *db, const struct caller *c, json_t **out);
/* Counts per inventory (entries, addresses, organisations), duplicates, violations and the
 * ruleset, over the organisations visible to c, or of org_id alone when org_id > 0 (the caller
 * checks its visibility); with org_id also the latest scan's reconciliation counts. */
enum err exposure_summary(struct db *db, const struct caller *c, long long org_id, json_t **out);
/* Addresses in c's scope declared by more than one entry: an array of {address, other,
 * kind (same|contains|inside), entry_id, org_id, org_name, other_entry_id, other_org_id,
 * other_org_name, same_org}; the other side's ids and names are null when not visible to c. */
enum err exposure_duplicates(struct db *db, const struct caller *c, long long org_id, json_t **out);

/* Import and export (transfer.c). --------------------------------------------------------- */

struct exposure_import_result {
    long long rows;    /* data rows read */
    long long created; /* entries created (0 when any row is bad) */
    long long first_id, last_id;
    long long duplicates; /* created entries with an address declared elsewhere too */
    json_t *errors;       /* [{line, field, message}], owned by the caller; empty when none */
};

/* Imports one inventory of org_id from data (CSV or XLSX by content; in a workbook, the sheet
 * named after the inventory when there is one, else the first visible sheet). In annex 4's
 * document (a table holding any of the headings 一、办公网互联网出入口情况,
 * 二、虚拟专用网络（VPN）出入口情况, 三、零信任网络出入口情况: a heading is a row whose only cell
 * starts with a Chinese numeral and 、, and names its list by 办公网, 虚拟专用网 or VPN, 零信任)
 * the inventory's table is the rows after its heading up to the next heading or the end; without
 * such headings, the whole table. The header row, the first row of that table holding 资产名称
 * (among its first ten; a title row above it is skipped), must hold the template's columns of
 * that inventory (序号 may be left out; header text as in annex 4, white space ignored, or the
 * API's field names). Blank rows are skipped. Rows are appended after the existing ones; at
 * most 20 000 rows and 64 columns are read. With any bad row nothing is written: the function
 * returns ERR_VALIDATION and res->errors lists every bad row and field (at most 1000); a
 * document without the inventory's heading, or with it twice, is ERR_VALIDATION (field
 * "file"). One audit record covers the import (file SM3, count, id range). */
enum err exposure_import(struct db *db, const struct audit_ctx *ax, long long org_id,
                         enum exposure_inventory inv, const char *data, size_t len,
                         struct exposure_import_result *res);

/* The exposure list of org_id laid out as annex 4, for the annual report: one XLSX workbook
 * with one sheet, 互联网暴露面信息, holding the title 互联网暴露面信息 (bold, larger, merged
 * across nine columns, centred), then for each list in the template's order its heading row
 * (一、办公网互联网出入口情况, 二、虚拟专用网络（VPN）出入口情况, 三、零信任网络出入口情况; bold),
 * its header row with exactly the template's column headers and one row per entry, 序号 a
 * number cell from 1, every other cell text; a blank row between the lists. exposure_import
 * reads each list back. org_id 0 gives the empty template. *bytes is malloc'd (free() it).
 * Errors: ERR_NOT_FOUND for an unknown organisation, ERR_IO when the workbook cannot be
 * written. */
enum err exposure_export_xlsx(struct db *db, long long org_id, char **bytes, size_t *len);

/* Scans (scan.c). ------------------------------------------------------------------------- */

/* Imports an nmap XML scan (nmap_parse, refusing hostile input with ERR_VALIDATION) imported
 * by caller c: its results will be attributed only to organisations within c's scope (all of
 * them for a system administrator or the command line). *out gets the scan's summary:
 * {id, scanned_at, started_at, finished_at, scanner, version, hosts, hosts_up, ports,
 * open_ports, organisations: [{org_id, org_name, hosts, open_services, shadow, not_seen}]}. */
enum err exposure_scan_import(struct db *db, const struct audit_ctx *ax, const struct caller *c,
                              const char *data, size_t len, json_t **out);
/* The organisation whose scope a scan was imported in (0: everything); ERR_NOT_FOUND. */
enum err exposure_scan_scope(struct db *db, long long id, long long *scope_org);
/* A scan with its hosts and their ports. */
enum err exposure_scan_json(struct db *db, long long id, json_t **out);
/* Reconciliation of org_id's declarations with scan_id (0: the latest scan attributed to the
 * organisation): {org_id, scan, counts, shadow: open services seen on the organisation's
 * addresses (its units' IP ranges or its entries) but not declared in any inventory, with
 * product and version; declared_seen; declared_not_seen: declared addresses the scan covered
 * (hosts listed) with no open service; declared_not_covered}. ERR_NOT_FOUND when there is no
 * such scan, or it was not imported within reach of the organisation. */
enum err exposure_reconcile(struct db *db, long long org_id, long long scan_id, json_t **out);
/* Difference of two scans on org_id's addresses (from, to: 0 = the two latest attributed to
 * it): {org_id, from, to, opened, closed, changed, unverified} where opened = open in to and
 * not in from, closed = open in from, host scanned again in to and not open there, changed =
 * open in both with another service, product or version, unverified = open in from on a host
 * that to did not scan. ERR_NOT_FOUND when fewer than two scans reach the organisation. */
enum err exposure_scan_diff(struct db *db, long long org_id, long long from, long long to,
                            json_t **out);

#endif
