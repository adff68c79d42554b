// Reminders (issue 4) and the iCalendar feed: channels API (scope, validation, audit, test
// message), one pass of `fanghu duty remind` against a local SMTP sink and a local HTTP receiver
// (one message per lead and channel, each robot's format, the Chinese subject, no duplicates,
// retries of a failing receiver up to 5 attempts), and the feed parsed by python3-icalendar.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, Server, createOrg, userWithClient, assertError, assertList, uniq, sleep } from './lib.mjs';

const PUBLIC_URL = 'https://fanghu.example.test';
const PUBLIC_HOST = 'fanghu.example.test';

// ---------------------------------------------------------------------------------------------
// A tiny SMTP sink: enough of RFC 5321 for libcurl.
function startSmtpSink() {
  const messages = [];
  const server = net.createServer((sock) => {
    sock.setEncoding('latin1');
    let buf = '';
    let inData = false;
    let msg = null;
    sock.on('error', () => {});
    sock.write('220 sink.test ESMTP\r\n');
    sock.on('data', (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push(parseMail(msg));
            sock.write('250 2.0.0 queued\r\n');
          } else msg.lines.push(line.startsWith('.') ? line.slice(1) : line);
          continue;
        }
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') sock.write('250-sink.test\r\n250 8BITMIME\r\n');
        else if (verb === 'HELO') sock.write('250 sink.test\r\n');
        else if (verb === 'MAIL') { msg = { from: line, rcpt: [], lines: [] }; sock.write('250 2.1.0 OK\r\n'); }
        else if (verb === 'RCPT') { msg.rcpt.push(line); sock.write('250 2.1.5 OK\r\n'); }
        else if (verb === 'DATA') { inData = true; sock.write('354 end with .\r\n'); }
        else if (verb === 'QUIT') sock.end('221 2.0.0 bye\r\n');
        else if (verb === 'RSET' || verb === 'NOOP') sock.write('250 OK\r\n');
        else sock.write('502 5.5.2 not implemented\r\n');
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, messages, port: server.address().port })));
}

function decodeWords(value) {
  // RFC 2047: adjacent encoded words separated by folding white space join without it.
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/gi,
    (_, b64) => Buffer.from(b64, 'base64').toString('utf8'));
}

function parseMail({ from, rcpt, lines }) {
  const blank = lines.indexOf('');
  const rawHeaders = lines.slice(0, blank);
  const headers = {};
  let last = null;
  for (const l of rawHeaders) {
    if (/^[ \t]/.test(l) && last) headers[last] += '\r\n' + l;
    else {
      const c = l.indexOf(':');
      last = l.slice(0, c).toLowerCase();
      headers[last] = l.slice(c + 1).trim();
    }
  }
  const body = Buffer.from(lines.slice(blank + 1).join(''), 'base64').toString('utf8');
  return { from, rcpt, headers, rawHeaders, subject: decodeWords(headers.subject || ''), body };
}

// A local receiver of webhooks: records every POST; /fail answers 500.
function startReceiver() {
  const requests = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let json;
      try { json = JSON.parse(text); } catch { json = undefined; }
      requests.push({ method: req.method, url: req.url, headers: req.headers, text, json });
      if (req.url.startsWith('/fail')) { res.writeHead(500, { 'content-type': 'text/plain' }); res.end('boom'); return; }
      if (req.url.startsWith('/refuse')) {
        // A robot that answers 200 but refuses the message (企业微信's shape).
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"errcode":93000,"errmsg":"invalid webhook url"}');
        return;
      }
      if (req.url.startsWith('/wecom') || req.url.startsWith('/dingtalk')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"errcode":0,"errmsg":"ok"}');
        return;
      }
      if (req.url.startsWith('/feishu')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"code":0,"msg":"success"}');
        return;
      }
      res.writeHead(204);
      res.end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, requests, base: `http://127.0.0.1:${server.address().port}` })));
}

// ---------------------------------------------------------------------------------------------
const day = (n) => {
  // Asia/Shanghai date n days from today.
  const t = new Date(Date.now() + 8 * 3600 * 1000 + n * 86400 * 1000);
  return t.toISOString().slice(0, 10);
};

let server, smtp, hooks, admin, orgA, orgB, adminA, adminB, staffA;
const ch = {}; // kind → channel of org A
let unit1, unit2, unitB;

async function makeUnit(client, orgId, name, onlineDate) {
  const r = await client.post('/api/v1/units', {
    org_id: orgId, name, unit_type: 'internet', status: 'planned', online_date: onlineDate,
  });
  assert.equal(r.status, 201, `POST /units: ${r}`);
  const g = await client.post(`/api/v1/units/${r.json.id}/grading`, {
    i: 3, r: 3, v: 3, just_i: '省级用户', just_r: '覆盖全省', just_v: '重要业务',
  });
  assert.ok(g.status === 200 || g.status === 201, `grading: ${g}`);
  return r.json;
}

// The CLI runs asynchronously: the SMTP sink and the receiver live in this process.
function remindPass(extra = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, ['duty', 'remind', '--json', ...server.cliArgs(), ...extra], {
      env: { ...process.env, ...server.env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => { stdout += d; });
    proc.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => proc.kill('SIGKILL'), 120000);
    proc.on('error', reject);
    proc.on('close', (status) => {
      clearTimeout(timer);
      try {
        assert.equal(status, 0, `fanghu duty remind (wired in src/main.c?): ${status} ${stdout} ${stderr}`);
        assert.doesNotMatch(stderr, /AddressSanitizer|runtime error|LeakSanitizer/, stderr);
        resolve(JSON.parse(stdout));
      } catch (e) { reject(e); }
    });
  });
}

const hookFor = (path) => hooks.requests.filter((q) => q.url.startsWith(path));
const mailsFor = (key) => smtp.messages.filter((m) => m.body.includes(`key=${key}\n`));

async function dutyOf(client, unitId, suffix) {
  const r = await client.get(`/api/v1/duties?unit_id=${unitId}&limit=500`);
  assert.equal(r.status, 200, `GET /duties: ${r}`);
  const d = r.json.items.find((x) => x.key === `unit:${unitId}:${suffix}`);
  assert.ok(d, `duty unit:${unitId}:${suffix} in ${JSON.stringify(r.json.items.map((x) => x.key))}`);
  return d;
}

before(async () => {
  smtp = await startSmtpSink();
  hooks = await startReceiver();
  server = new Server({
    env: {
      FANGHU_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      FANGHU_SMTP_FROM: 'fanghu@example.com',
      FANGHU_PUBLIC_URL: PUBLIC_URL,
      // The job runs once at start (nothing to send yet); the passes below are the CLI's.
      FANGHU_REMIND_INTERVAL: '86400',
    },
  });
  await server.start();
  admin = await server.admin();
  orgA = await createOrg(admin, { name: uniq('甲单位') });
  orgB = await createOrg(admin, { name: uniq('乙单位') });
  adminA = (await userWithClient(server, admin, { role: 'operator_admin', org_id: orgA.id })).client;
  adminB = (await userWithClient(server, admin, { role: 'operator_admin', org_id: orgB.id })).client;
  staffA = (await userWithClient(server, admin, { role: 'operator_staff', org_id: orgA.id })).client;
  // unit1: filing due in 30 days (lead 30 today) and 上线前风险评估 due in 5 days (lead 7 only).
  unit1 = await makeUnit(adminA, orgA.id, '核心网,计费;系统\\一号——一个名字足够长以便日历行在七十五个字节处折行的网络单元', day(5));
  // unit2: 上线前风险评估 overdue by 3 days (the "overdue" reminder).
  unit2 = await makeUnit(adminA, orgA.id, uniq('二号系统'), day(-3));
  unitB = await makeUnit(adminB, orgB.id, uniq('乙系统'), day(20));
});

after(async () => {
  await server?.close();
  smtp?.server.close();
  hooks?.server.close();
});

// ---------------------------------------------------------------------------------------------
test('reminder channels: create per kind, validation, scope, roles, audit', async () => {
  const targets = {
    email: 'ops-a@example.com',
    wecom: `${hooks.base}/wecom/cgi-bin/webhook/send?key=wecom-secret-key`,
    dingtalk: `${hooks.base}/dingtalk/robot/send?access_token=ding-secret`,
    feishu: `${hooks.base}/feishu/open-apis/bot/v2/hook/feishu-secret`,
    webhook_json: `${hooks.base}/json/a`,
  };
  for (const [kind, target] of Object.entries(targets)) {
    const r = await adminA.post('/api/v1/reminder-channels', { org_id: orgA.id, kind, target });
    assert.equal(r.status, 201, `create ${kind}: ${r}`);
    assert.deepEqual(Object.keys(r.json).sort(),
      ['created_at', 'enabled', 'id', 'kind', 'kind_name', 'org_id', 'org_name', 'target']);
    assert.equal(r.json.kind, kind);
    assert.equal(r.json.target, target);
    assert.equal(r.json.enabled, true);
    assert.equal(r.json.org_id, orgA.id);
    ch[kind] = r.json;
  }
  const fail = await adminA.post('/api/v1/reminder-channels', { org_id: orgA.id, kind: 'webhook_json', target: `${hooks.base}/fail/a` });
  assert.equal(fail.status, 201, `${fail}`);
  ch.fail = fail.json;
  const b = await adminB.post('/api/v1/reminder-channels', { org_id: orgB.id, kind: 'webhook_json', target: `${hooks.base}/json/b` });
  assert.equal(b.status, 201, `${b}`);
  ch.b = b.json;
  // A disabled channel sends nothing.
  const off = await adminA.post('/api/v1/reminder-channels', { org_id: orgA.id, kind: 'webhook_json', target: `${hooks.base}/json/disabled`, enabled: false });
  assert.equal(off.status, 201, `${off}`);
  assert.equal(off.json.enabled, false);

  const listA = assertList(await adminA.get('/api/v1/reminder-channels'));
  assert.equal(listA.total, 7);
  assert.ok(listA.items.every((c) => c.org_id === orgA.id));
  const listB = assertList(await adminB.get('/api/v1/reminder-channels'));
  assert.deepEqual(listB.items.map((c) => c.id), [ch.b.id]);
  const all = assertList(await admin.get(`/api/v1/reminder-channels?org_id=${orgB.id}`));
  assert.deepEqual(all.items.map((c) => c.id), [ch.b.id]);

  // Bad input: the field is named, nothing is written.
  const bad = [
    [{ org_id: orgA.id, kind: 'sms', target: '13800000000' }, 'kind'],
    [{ org_id: orgA.id, kind: 'email', target: 'not-an-address' }, 'target'],
    [{ org_id: orgA.id, kind: 'email', target: 'a@b' }, 'target'],
    [{ org_id: orgA.id, kind: 'email', target: 'a b@example.com' }, 'target'],
    [{ org_id: orgA.id, kind: 'wecom', target: 'ftp://example.com/x' }, 'target'],
    [{ org_id: orgA.id, kind: 'dingtalk', target: 'javascript:alert(1)' }, 'target'],
    [{ org_id: orgA.id, kind: 'feishu', target: 'http://exa mple.com/' }, 'target'],
    [{ org_id: orgA.id, kind: 'webhook_json', target: 'http://' }, 'target'],
    [{ org_id: orgA.id, kind: 'email' }, 'target'],
    [{ org_id: orgA.id, kind: 'email', target: 'x@example.com', extra: 1 }, 'extra'],
    [{ org_id: orgB.id, kind: 'email', target: 'x@example.com' }, 'org_id', 404], // another tenant's: as if absent
  ];
  for (const [body, field, status = 400] of bad) {
    const r = await adminA.post('/api/v1/reminder-channels', body);
    assert.ok(r.status === status, `${JSON.stringify(body)} → ${r}`);
    assert.equal(r.field, field, `${JSON.stringify(body)} → ${r}`);
  }
  const dup = await adminA.post('/api/v1/reminder-channels', { org_id: orgA.id, kind: 'email', target: 'ops-a@example.com' });
  assertError(dup, 409, 'conflict', 'target');
  assert.equal(assertList(await adminA.get('/api/v1/reminder-channels')).total, 7, 'nothing written');

  // Roles: staff may neither list nor create; another tenant's ids are 404.
  assertError(await staffA.get('/api/v1/reminder-channels'), 403, 'forbidden');
  assertError(await staffA.post('/api/v1/reminder-channels', { org_id: orgA.id, kind: 'email', target: 'staff@example.com' }), 403, 'forbidden');
  assertError(await staffA.del(`/api/v1/reminder-channels/${ch.email.id}`), 403, 'forbidden');
  assertError(await adminB.del(`/api/v1/reminder-channels/${ch.email.id}`), 404, 'not_found');
  assertError(await adminB.post(`/api/v1/reminder-channels/${ch.wecom.id}/test`), 404, 'not_found');
  assertError(await adminA.del(`/api/v1/reminder-channels/${ch.b.id}`), 404, 'not_found');
  assertError(await adminA.del('/api/v1/reminder-channels/999999'), 404, 'not_found');
  assertError(await adminA.del('/api/v1/reminder-channels/abc'), 404, 'not_found');

  // Delete: 204, gone, audited without the robot key.
  const del = await adminA.del(`/api/v1/reminder-channels/${off.json.id}`);
  assert.equal(del.status, 204, `${del}`);
  assert.equal(assertList(await adminA.get('/api/v1/reminder-channels')).total, 6);
  const audit = await admin.get('/api/v1/audit?action=reminder_channel.create&limit=100');
  assert.equal(audit.status, 200, `${audit}`);
  const created = audit.json.items.filter((x) => x.entity_id === ch.wecom.id);
  assert.equal(created.length, 1, JSON.stringify(audit.json.items));
  assert.equal(created[0].after.kind, 'wecom');
  assert.doesNotMatch(JSON.stringify(audit.json.items), /wecom-secret-key|ding-secret|feishu-secret/);
  const deleted = await admin.get('/api/v1/audit?action=reminder_channel.delete&limit=10');
  assert.ok(deleted.json.items.some((x) => x.entity_id === off.json.id), `${deleted}`);
});

test('test message per channel: delivered, or the failure reported', async () => {
  const before = hooks.requests.length;
  const w = await adminA.post(`/api/v1/reminder-channels/${ch.wecom.id}/test`);
  assert.equal(w.status, 200, `${w}`);
  assert.deepEqual(w.json, { ok: true, error: null });
  const got = hooks.requests.slice(before).filter((q) => q.url.startsWith('/wecom'));
  assert.equal(got.length, 1);
  assert.equal(got[0].json.msgtype, 'markdown');
  assert.match(got[0].json.markdown.content, /测试/);
  assert.equal(got[0].url, '/wecom/cgi-bin/webhook/send?key=wecom-secret-key');

  const mails = smtp.messages.length;
  const e = await adminA.post(`/api/v1/reminder-channels/${ch.email.id}/test`);
  assert.deepEqual(e.json, { ok: true, error: null }, `${e}`);
  assert.equal(smtp.messages.length, mails + 1);
  assert.equal(smtp.messages.at(-1).subject, '【防护】提醒渠道测试');

  const f = await adminA.post(`/api/v1/reminder-channels/${ch.fail.id}/test`);
  assert.equal(f.status, 200, `${f}`);
  assert.equal(f.json.ok, false);
  assert.match(f.json.error, /HTTP 500/);
  // A robot that answers 200 with an error code is a failure too.
  const refuse = await adminA.post('/api/v1/reminder-channels', { org_id: orgA.id, kind: 'wecom', target: `${hooks.base}/refuse/send?key=bad` });
  assert.equal(refuse.status, 201, `${refuse}`);
  const rf = await adminA.post(`/api/v1/reminder-channels/${refuse.json.id}/test`);
  assert.equal(rf.json.ok, false, `${rf}`);
  assert.match(rf.json.error, /93000/);
  assert.equal((await adminA.del(`/api/v1/reminder-channels/${refuse.json.id}`)).status, 204);
  const audit = await admin.get('/api/v1/audit?action=reminder_channel.test&limit=10');
  assert.equal(audit.json.items.length, 4, `${audit}`);
  // The test messages are not reminders.
  assert.equal(assertList(await adminA.get('/api/v1/reminders')).total, 0);
  hooks.requests.length = 0;
  smtp.messages.length = 0;
});

test('a reminder pass: one message per lead and channel, in each format, once', async () => {
  const filing = await dutyOf(adminA, unit1.id, 'filing');
  const soon = await dutyOf(adminA, unit1.id, 'risk_prelaunch');
  const late = await dutyOf(adminA, unit2.id, 'risk_prelaunch');
  assert.equal(filing.due_date, day(30));
  assert.equal(soon.due_date, day(5));
  assert.equal(late.due_date, day(-3));
  const expected = [[filing, '30'], [soon, '7'], [late, 'overdue']];

  const first = await remindPass();
  assert.ok(first.sent >= 15, JSON.stringify(first));
  assert.ok(first.failed >= 3, JSON.stringify(first));

  for (const [duty, lead] of expected) {
    // E-mail: one message, Chinese subject (RFC 2047), Chinese body with the link.
    const mails = mailsFor(duty.key);
    assert.equal(mails.length, 1, `${duty.key}: ${mails.length} mails`);
    const m = mails[0];
    assert.deepEqual(m.rcpt, ['RCPT TO:<ops-a@example.com>']);
    assert.match(m.from, /^MAIL FROM:<fanghu@example\.com>/);
    assert.ok(m.rawHeaders.every((l) => /^[\x20-\x7e\t]*$/.test(l)), 'headers are ASCII');
    assert.ok(m.rawHeaders.every((l) => l.length <= 78), `header lines ≤ 78: ${m.rawHeaders.join('|')}`);
    assert.match(m.headers.subject, /^=\?UTF-8\?B\?/);
    assert.ok(m.subject.includes(duty.title), `subject ${m.subject}`);
    assert.ok(m.subject.includes(orgA.name), `subject ${m.subject}`);
    if (lead === 'overdue') assert.match(m.subject, /已逾期 3 日/);
    else assert.match(m.subject, new RegExp(`${lead === '30' ? 30 : 5} 日后到期`));
    assert.match(m.headers['content-type'], /text\/plain; charset=UTF-8/);
    assert.ok(m.headers.date && m.headers['message-id'], 'Date and Message-ID');
    for (const label of ['事项：', '单位：', '网络单元：', '截止日期：', '依据：', '状态：']) assert.ok(m.body.includes(label), `${label} in ${m.body}`);
    assert.ok(m.body.includes(`截止日期：${duty.due_date}`), m.body);
    assert.ok(m.body.includes(`${PUBLIC_URL}/duties?key=${duty.key}`), m.body);
    assert.ok(m.body.includes(duty.unit_name), m.body);

    // Robots: each its own format.
    const keyRe = new RegExp(`key=${duty.key.replace(/[^\w]/g, '\\$&')}(?![\\w:])`);
    const match = (q) => keyRe.test(q.text);
    const wecom = hookFor('/wecom').filter(match);
    assert.equal(wecom.length, 1, `${duty.key} wecom`);
    assert.deepEqual(Object.keys(wecom[0].json), ['msgtype', 'markdown']);
    assert.equal(wecom[0].json.msgtype, 'markdown');
    assert.deepEqual(Object.keys(wecom[0].json.markdown), ['content']);
    assert.ok(wecom[0].json.markdown.content.includes(duty.title));
    assert.match(wecom[0].headers['content-type'], /^application\/json/);
    const ding = hookFor('/dingtalk').filter(match);
    assert.equal(ding.length, 1, `${duty.key} dingtalk`);
    assert.equal(ding[0].json.msgtype, 'markdown');
    assert.deepEqual(Object.keys(ding[0].json.markdown).sort(), ['text', 'title']);
    assert.ok(ding[0].json.markdown.title.includes(duty.title));
    assert.ok(ding[0].json.markdown.text.includes(`截止日期：${duty.due_date}`));
    const feishu = hookFor('/feishu').filter(match);
    assert.equal(feishu.length, 1, `${duty.key} feishu`);
    assert.equal(feishu[0].json.msg_type, 'text');
    assert.deepEqual(Object.keys(feishu[0].json.content), ['text']);
    assert.ok(feishu[0].json.content.text.includes(`事项：${duty.title}`));
    const json = hookFor('/json/a').filter((q) => q.json.duty.key === duty.key);
    assert.equal(json.length, 1, `${duty.key} json`);
    assert.equal(json[0].json.event, 'duty.reminder');
    assert.equal(json[0].json.lead, lead);
    assert.equal(json[0].json.duty.due_date, duty.due_date);
    assert.equal(json[0].json.duty.org_id, orgA.id);
    assert.equal(json[0].json.duty.unit_id, duty.unit_id);
    assert.equal(json[0].json.url, `${PUBLIC_URL}/duties?key=${duty.key}`);
    assert.equal(hookFor('/fail').filter((q) => q.json.duty.key === duty.key).length, 1);
  }
  // Only the nearest lead reached: no stale 30-day reminder for the duty due in 5 days.
  const leadsOf = (key) => hookFor('/json/a').filter((q) => q.json.duty.key === key).map((q) => q.json.lead);
  assert.deepEqual(leadsOf(soon.key), ['7']);
  assert.deepEqual(leadsOf(late.key), ['overdue']);
  // Org B's receiver gets only org B's duties; its duty due in 20 days has the 30-day lead.
  const bKeys = hookFor('/json/b').map((q) => q.json.duty.key);
  assert.ok(bKeys.includes(`unit:${unitB.id}:filing`), JSON.stringify(bKeys));
  assert.ok(bKeys.every((k) => !k.startsWith(`unit:${unit1.id}:`) && !k.startsWith(`unit:${unit2.id}:`)));
  assert.equal(hookFor('/json/disabled').length, 0);

  // The log, in scope, with robot keys hidden; failures kept with their error.
  const log = assertList(await adminA.get('/api/v1/reminders?limit=500'));
  const row = (key, channel, target) => log.items.filter((x) => x.duty_key === key && x.channel === channel && (!target || x.target.startsWith(target)));
  for (const [duty, lead] of expected) {
    for (const kind of ['email', 'wecom', 'dingtalk', 'feishu']) {
      const rows = row(duty.key, kind);
      assert.equal(rows.length, 1, `${duty.key} ${kind}: ${JSON.stringify(rows)}`);
      assert.equal(rows[0].status, 'sent');
      assert.equal(rows[0].lead, lead);
      assert.equal(rows[0].attempts, 1);
      assert.equal(rows[0].last_error, null);
      assert.equal(rows[0].due_date, duty.due_date);
      assert.equal(rows[0].title, duty.title);
      assert.equal(rows[0].org_id, orgA.id);
    }
    const failed = row(duty.key, 'webhook_json').filter((x) => x.status === 'failed');
    assert.equal(failed.length, 1, JSON.stringify(row(duty.key, 'webhook_json')));
    assert.equal(failed[0].attempts, 1);
    assert.match(failed[0].last_error, /HTTP 500/);
  }
  assert.doesNotMatch(JSON.stringify(log.items), /wecom-secret-key|ding-secret|feishu-secret/);
  assert.ok(log.items.every((x) => x.org_id === orgA.id));
  const logB = assertList(await adminB.get('/api/v1/reminders?limit=500'));
  assert.ok(logB.items.length > 0 && logB.items.every((x) => x.org_id === orgB.id));
  assert.ok(assertList(await staffA.get('/api/v1/reminders?status=failed')).items.every((x) => x.status === 'failed'));
  assertError(await adminA.get('/api/v1/reminders?status=bogus'), 400, 'validation_failed', 'status');

  // Second pass: nothing new for the channels that worked; the failing one is retried.
  const counts = () => ({ mail: smtp.messages.length, wecom: hookFor('/wecom').length, ding: hookFor('/dingtalk').length, feishu: hookFor('/feishu').length, json: hookFor('/json').length });
  const was = counts();
  const failsBefore = hookFor('/fail').length;
  const second = await remindPass();
  assert.equal(second.sent, 0, JSON.stringify(second));
  assert.deepEqual(counts(), was, 'no duplicates on a second pass');
  assert.equal(hookFor('/fail').length, failsBefore * 2, 'failures retried');

  // Up to 5 attempts in all, then the row stays failed with its error.
  for (let i = 0; i < 4; i++) await remindPass();
  for (const [duty] of expected) {
    assert.equal(hookFor('/fail').filter((q) => q.json.duty.key === duty.key).length, 5, duty.key);
  }
  const final = assertList(await adminA.get('/api/v1/reminders?status=failed&limit=500'));
  assert.ok(final.items.length >= 3);
  for (const x of final.items) {
    assert.equal(x.attempts, 5, JSON.stringify(x));
    assert.match(x.last_error, /HTTP 500/);
    assert.equal(x.sent_at, null);
  }
  assert.deepEqual(counts(), was, 'still no duplicates');

  // Lead times come from remind-leads: with "5", the duty due in 5 days is due its 5-day
  // reminder today, and the one due in 30 days none.
  const custom = await remindPass(['--remind-leads', '5']);
  assert.ok(custom.sent >= 4, JSON.stringify(custom));
  assert.deepEqual(leadsOf(soon.key), ['7', '5']);
  assert.deepEqual(leadsOf(filing.key), ['30']);
  const five = assertList(await adminA.get(`/api/v1/reminders?duty_key=${encodeURIComponent(soon.key)}&status=sent&limit=500`));
  assert.deepEqual([...new Set(five.items.map((x) => x.lead))].sort(), ['5', '7']);
  assert.ok(five.items.some((x) => x.lead === '5' && x.lead_name === '到期前 5 日'));
});

test('two passes at once never send the same reminder twice', async () => {
  const r = await adminA.post('/api/v1/reminder-channels', { org_id: orgA.id, kind: 'webhook_json', target: `${hooks.base}/json/race` });
  assert.equal(r.status, 201, `${r}`);
  const [x, y] = await Promise.all([remindPass(), remindPass()]);
  const race = hookFor('/json/race').map((q) => `${q.json.duty.key} ${q.json.lead}`);
  assert.equal(x.sent + y.sent, race.length, JSON.stringify([x, y]));
  assert.equal(x.failed + y.failed, 0, JSON.stringify([x, y]));
  assert.ok(race.includes(`unit:${unit1.id}:filing 30`), JSON.stringify(race));
  assert.equal(new Set(race).size, race.length, `duplicates: ${JSON.stringify(race)}`);
  assert.equal((await adminA.del(`/api/v1/reminder-channels/${r.json.id}`)).status, 204);
});

test('settings: remind-leads, smtp-url, public-url are validated', async () => {
  for (const [args, key] of [
    [['--remind-leads', '30,x'], 'remind-leads'], [['--remind-leads', '7,7'], 'remind-leads'],
    [['--remind-leads', '400'], 'remind-leads'], [['--remind-leads', ''], 'remind-leads'],
    [['--smtp-url', 'http://mail.example.com'], 'smtp-url'], [['--public-url', 'ftp://x'], 'public-url'],
    [['--smtp-from', 'not an address'], 'smtp-from'], [['--remind-interval', '5'], 'remind-interval'],
  ]) {
    const r = server.cli(['check-config', ...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.status} ${r.stdout} ${r.stderr}`);
    assert.match(r.stderr, new RegExp(key), r.stderr);
  }
  const ok = server.cli(['check-config', '--remind-leads', '60,30,7,1,0', '--smtp-password', 'sekret-pw']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /remind-leads\s+= 60,30,7,1,0/);
  assert.doesNotMatch(ok.stdout, /sekret-pw/, 'the SMTP password is not printed');
});

// ---------------------------------------------------------------------------------------------
const PARSER = `
import json, sys
from icalendar import Calendar
cal = Calendar.from_ical(open(sys.argv[1], 'rb').read())
out = {'calname': str(cal.get('X-WR-CALNAME')), 'version': str(cal.get('VERSION')), 'events': []}
for ev in cal.walk('VEVENT'):
    alarms = [{'action': str(a.get('ACTION')), 'trigger': a.decoded('TRIGGER').total_seconds()} for a in ev.walk('VALARM')]
    out['events'].append({
        'uid': str(ev.get('UID')), 'summary': str(ev.get('SUMMARY')),
        'description': str(ev.get('DESCRIPTION')),
        'dtstart': ev.decoded('DTSTART').isoformat(), 'dtend': ev.decoded('DTEND').isoformat(),
        'dtstamp': ev.decoded('DTSTAMP').isoformat(), 'alarms': alarms})
print(json.dumps(out, ensure_ascii=False))
`;
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function parseIcs(text) {
  const dir = mkdtempSync(join(tmpdir(), 'fanghu-ics-'));
  try {
    writeFileSync(join(dir, 'feed.ics'), text);
    writeFileSync(join(dir, 'parse.py'), PARSER);
    const r = spawnSync(PYTHON, [join(dir, 'parse.py'), join(dir, 'feed.ics')], { encoding: 'utf8' });
    assert.equal(r.status, 0, `python3-icalendar (apt-get install python3-icalendar): ${r.stderr}`);
    return JSON.parse(r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function fetchFeed(path) {
  const r = await fetch(server.base + path);
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
}

test('calendar feed: RFC 5545 text parsed by python3-icalendar, scoped like the API', async () => {
  const none = await adminA.get('/api/v1/me/calendar-feed');
  assert.deepEqual(none.json, { active: false, created_at: null });
  assertError(await adminA.del('/api/v1/me/calendar-feed'), 404, 'not_found');

  const c = await adminA.post('/api/v1/me/calendar-feed');
  assert.equal(c.status, 201, `${c}`);
  assert.match(c.json.path, /^\/api\/v1\/feeds\/[0-9a-f]{64}\.ics$/);
  assert.equal(c.json.url, PUBLIC_URL + c.json.path);
  assert.equal(c.json.rotated, false);
  assert.equal((await adminA.get('/api/v1/me/calendar-feed')).json.active, true);

  const feed = await fetchFeed(c.json.path); // no cookie: the token is the credential
  assert.equal(feed.status, 200, feed.text);
  assert.match(feed.type, /^text\/calendar/);
  // CRLF everywhere, lines ≤ 75 octets, folds on UTF-8 boundaries.
  assert.ok(feed.text.endsWith('\r\n'));
  assert.doesNotMatch(feed.text.replace(/\r\n/g, ''), /[\r\n]/, 'bare CR or LF');
  const lines = feed.text.split('\r\n').slice(0, -1);
  for (const l of lines) assert.ok(Buffer.byteLength(l) <= 75, `line of ${Buffer.byteLength(l)} octets: ${l}`);
  assert.ok(lines.some((l) => l.startsWith(' ')), 'long lines are folded');
  assert.ok(!feed.text.includes('\uFFFD'), 'no broken UTF-8');

  const cal = parseIcs(feed.text);
  assert.equal(cal.version, '2.0');
  assert.match(cal.calname, /防护/);
  const open = (await adminA.get('/api/v1/duties?status=open&limit=500')).json.items;
  assert.ok(open.length >= 5, JSON.stringify(open.map((d) => d.key)));
  assert.deepEqual(cal.events.map((e) => e.uid).sort(), open.map((d) => `${d.key}@${PUBLIC_HOST}`).sort());
  for (const d of open) {
    const e = cal.events.find((x) => x.uid === `${d.key}@${PUBLIC_HOST}`);
    assert.equal(e.dtstart, d.due_date);
    assert.equal(e.summary, `${d.title}｜${d.org_name}${d.unit_name ? '｜' + d.unit_name : ''}`);
    assert.ok(e.description.includes(`截止日期：${d.due_date}`), e.description);
    assert.ok(e.description.includes(`${PUBLIC_URL}/duties?key=${d.key}`), e.description);
    assert.deepEqual(e.alarms, [{ action: 'DISPLAY', trigger: -86400 }]);
  }
  // The name with , ; and \ survives escaping and unescaping.
  const tricky = cal.events.find((e) => e.uid === `unit:${unit1.id}:filing@${PUBLIC_HOST}`);
  assert.ok(tricky.summary.includes(unit1.name), `${tricky.summary} vs ${unit1.name}`);
  assert.ok(tricky.description.includes(`网络单元：${unit1.name}\n`), tricky.description);

  // Another tenant's feed shows only its own duties; the system administrator's shows both.
  const b = await adminB.post('/api/v1/me/calendar-feed');
  const calB = parseIcs((await fetchFeed(b.json.path)).text);
  assert.ok(calB.events.length > 0);
  assert.ok(calB.events.every((e) => !e.uid.startsWith(`unit:${unit1.id}:`) && !e.uid.startsWith(`unit:${unit2.id}:`)));
  const s = await admin.post('/api/v1/me/calendar-feed');
  const calS = parseIcs((await fetchFeed(s.json.path)).text);
  assert.ok(calS.events.some((e) => e.uid.startsWith(`unit:${unit1.id}:`)));
  assert.ok(calS.events.some((e) => e.uid.startsWith(`unit:${unitB.id}:`)));

  // Unknown and malformed tokens: 404.
  for (const p of [`/api/v1/feeds/${'0'.repeat(64)}.ics`, `/api/v1/feeds/${'a'.repeat(64)}`, '/api/v1/feeds/short.ics', `/api/v1/feeds/${'G'.repeat(64)}.ics`]) {
    const r = await fetchFeed(p);
    assert.equal(r.status, 404, `${p}: ${r.status}`);
  }
  // Rotation invalidates the old URL at once.
  const rot = await adminA.post('/api/v1/me/calendar-feed');
  assert.equal(rot.status, 201);
  assert.equal(rot.json.rotated, true);
  assert.notEqual(rot.json.path, c.json.path);
  assert.equal((await fetchFeed(c.json.path)).status, 404);
  assert.equal((await fetchFeed(rot.json.path)).status, 200);
  // Deleting it ends the feed.
  assert.equal((await adminA.del('/api/v1/me/calendar-feed')).status, 204);
  assert.equal((await fetchFeed(rot.json.path)).status, 404);
  assert.deepEqual((await adminA.get('/api/v1/me/calendar-feed')).json, { active: false, created_at: null });
  // Audited, and the secret never reaches the log.
  const audit = await admin.get('/api/v1/audit?entity=calendar_feed&limit=50');
  const actions = audit.json.items.map((x) => x.action);
  for (const a of ['calendar_feed.create', 'calendar_feed.rotate', 'calendar_feed.delete']) assert.ok(actions.includes(a), JSON.stringify(actions));
  const token = rot.json.path.slice('/api/v1/feeds/'.length, -4);
  assert.ok(!JSON.stringify(audit.json).includes(token));
  assert.ok(!server.log.includes(token), 'the feed token is kept out of the access log');
});

test('the job of fanghu serve sends what is due by itself', async () => {
  const r = await adminA.post('/api/v1/reminder-channels', { org_id: orgA.id, kind: 'webhook_json', target: `${hooks.base}/json/job` });
  assert.equal(r.status, 201, `${r}`);
  // The reminder job runs when the server starts, then every remind-interval seconds.
  await server.stop();
  await server.start();
  const want = [`unit:${unit1.id}:filing 30`, `unit:${unit1.id}:risk_prelaunch 7`, `unit:${unit2.id}:risk_prelaunch overdue`];
  const got = () => hookFor('/json/job').map((q) => `${q.json.duty.key} ${q.json.lead}`);
  for (const deadline = Date.now() + 30000; Date.now() < deadline && !want.every((w) => got().includes(w));) await sleep(200);
  for (const w of want) assert.equal(got().filter((x) => x === w).length, 1, `${w} in ${JSON.stringify(got())}`);
  assert.ok(got().every((x) => !x.startsWith(`unit:${unitB.id}:`)));
});
