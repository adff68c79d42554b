// Users: create (one-time initial password), read, list, update, disable, admin password reset.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, assertError, assertShape, assertList, createOrg, createUser, activate, uniq,
  strongPassword, auditTotal,
} from './lib.mjs';

let srv, admin, org, org2;
before(async () => {
  srv = await startServer();
  admin = await srv.admin();
  org = await createOrg(admin, { name: uniq('用户测试单位') });
  org2 = await createOrg(admin, { name: uniq('用户测试单位二') });
});
after(async () => { await srv?.close(); });

function meetsPolicy(pw, username) {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(pw)).length;
  return pw.length >= 12 && classes >= 3 && pw !== username;
}

test('create without password: 201 {user, initial_password}, shown once, must change', async () => {
  const username = uniq('zhangsan');
  const r = await admin.post('/api/v1/users', { username, display_name: '张三', role: 'operator_staff', org_id: org.id });
  assert.equal(r.status, 201, `${r}`);
  assert.deepEqual(Object.keys(r.json).sort(), ['initial_password', 'user']);
  assertShape('USER', r.json.user);
  const { user, initial_password } = r.json;
  assert.equal(user.username, username);
  assert.equal(user.display_name, '张三');
  assert.equal(user.role, 'operator_staff');
  assert.equal(user.org_id, org.id);
  assert.equal(user.org_name, org.name);
  assert.equal(user.disabled, false);
  assert.equal(user.must_change_password, true);
  assert.equal(user.locked_until, null);
  assert.equal(user.last_login_at, null);
  assert.equal(typeof initial_password, 'string');
  assert.ok(meetsPolicy(initial_password, username), `initial password meets the policy: ${initial_password}`);

  const g = await admin.get(`/api/v1/users/${user.id}`);
  assert.equal(g.status, 200);
  assert.deepEqual(g.json, user, 'GET returns the same USER, without any password');
  assert.equal(JSON.stringify(g.json).includes(initial_password), false);

  // The initial password logs in, behind the change-password gate.
  const c = srv.client();
  const l = await c.login(username, initial_password);
  assert.equal(l.status, 200);
  assert.equal(l.json.must_change_password, true);
  assertError(await c.get('/api/v1/orgs'), 403, 'password_change_required');
  const next = strongPassword();
  assert.equal((await c.post('/api/v1/me/password', { old_password: initial_password, new_password: next })).status, 204);
  assertError(await srv.client().login(username, initial_password), 401, 'invalid_credentials');
  const after = (await admin.get(`/api/v1/users/${user.id}`)).json;
  assert.equal(after.must_change_password, false);
  assert.match(after.last_login_at ?? '', /\+08:00$/);

  // Nothing in the audit log carries the password.
  const a = await admin.get('/api/v1/audit?limit=500');
  assert.equal(a.text.includes(initial_password), false, 'initial password in the audit log');
  assert.equal(a.text.includes(next), false, 'new password in the audit log');
  assert.equal(/argon2|password_hash/i.test(a.text), false, 'password hash in the audit log');
  assert.ok(a.json.items.some((x) => x.action === 'user.create' && x.entity_id === user.id), 'user.create audited');
  assert.ok(a.json.items.some((x) => x.action === 'user.password_change' && x.entity_id === user.id), 'user.password_change audited');
});

test('create with a password: no initial_password, still must change', async () => {
  const username = uniq('lisi');
  const password = strongPassword();
  const r = await admin.post('/api/v1/users', { username, display_name: '李四', role: 'operator_admin', org_id: org.id, password });
  assert.equal(r.status, 201, `${r}`);
  assert.ok(!('initial_password' in r.json) || r.json.initial_password === null, `no initial_password: ${r}`);
  assertShape('USER', r.json.user);
  assert.equal(r.json.user.must_change_password, true);
  const l = await srv.client().login(username, password);
  assert.equal(l.status, 200);
  assert.equal(l.json.must_change_password, true);
});

test('duplicate username → 409 conflict, nothing created', async () => {
  const { user } = await createUser(admin, { role: 'operator_staff', org_id: org.id });
  const before = (await admin.get('/api/v1/users?limit=1')).json.total;
  assertError(await admin.post('/api/v1/users', { username: user.username, display_name: '重名', role: 'operator_staff', org_id: org2.id }),
    409, 'conflict');
  assert.equal((await admin.get('/api/v1/users?limit=1')).json.total, before);
});

test('validation: each bad field named, nothing created', async () => {
  const ok = () => ({ username: uniq('v'), display_name: '校验', role: 'operator_staff', org_id: org.id });
  const cases = [
    [{ username: undefined }, 'validation_failed', 'username'],
    [{ username: '' }, 'validation_failed', 'username'],
    [{ username: 'a'.repeat(300) }, 'validation_failed', 'username'],
    [{ username: 7 }, 'validation_failed', 'username'],
    [{ display_name: undefined }, 'validation_failed', 'display_name'],
    [{ display_name: '名'.repeat(1000) }, 'validation_failed', 'display_name'],
    [{ role: 'root' }, 'validation_failed', 'role'],
    [{ role: undefined }, 'validation_failed', 'role'],
    [{ org_id: undefined }, 'validation_failed', 'org_id'],
    [{ org_id: 17 }, 'validation_failed', 'org_id'],
    [{ disabled: true }, 'unknown_field', 'disabled'],
    [{ must_change_password: false }, 'unknown_field', 'must_change_password'],
    [{ password_hash: 'x' }, 'unknown_field', 'password_hash'],
  ];
  const before = (await admin.get('/api/v1/users?limit=1')).json.total;
  const audits = await auditTotal(admin);
  for (const [patch, code, field] of cases) {
    const body = { ...ok(), ...patch };
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    assertError(await admin.post('/api/v1/users', body), 400, code, field);
  }
  const r = await admin.post('/api/v1/users', { ...ok(), org_id: '987654321' });
  assert.ok(r.status === 404 || r.status === 400, `unknown org: ${r}`);
  if (r.status === 400) assertError(r, 400, 'validation_failed', 'org_id'); else assertError(r, 404, 'not_found');
  assert.equal((await admin.get('/api/v1/users?limit=1')).json.total, before);
  assert.equal(await auditTotal(admin), audits);
});

test('list: envelope, filters q / org_id / role, pagination', async () => {
  const tag = uniq('lst');
  const made = [];
  for (let i = 0; i < 7; i++) {
    made.push((await createUser(admin, {
      username: `${tag}_${i}`, display_name: `列表${i}`,
      role: i % 2 ? 'operator_admin' : 'operator_staff', org_id: i < 4 ? org.id : org2.id,
    })).user);
  }
  const all = assertList(await admin.get('/api/v1/users?limit=500'));
  for (const u of all.items) if (u.role !== 'sysadmin') assertShape('USER', u); // admin: shapes.test.mjs
  assert.ok(made.every((m) => all.items.some((u) => u.id === m.id)));
  const q = assertList(await admin.get(`/api/v1/users?q=${tag}`));
  assert.equal(q.total, 7);
  const byOrg = assertList(await admin.get(`/api/v1/users?q=${tag}&org_id=${org2.id}`));
  assert.deepEqual(byOrg.items.map((u) => u.id).sort(), made.slice(4).map((u) => u.id).sort());
  const byRole = assertList(await admin.get(`/api/v1/users?q=${tag}&role=operator_admin`));
  assert.deepEqual(byRole.items.map((u) => u.id).sort(), made.filter((_, i) => i % 2).map((u) => u.id).sort());
  const p1 = assertList(await admin.get(`/api/v1/users?q=${tag}&limit=3&offset=0`));
  const p2 = assertList(await admin.get(`/api/v1/users?q=${tag}&limit=3&offset=3`));
  const p3 = assertList(await admin.get(`/api/v1/users?q=${tag}&limit=3&offset=6`));
  assert.deepEqual([p1.items.length, p2.items.length, p3.items.length], [3, 3, 1]);
  assert.equal(new Set([...p1.items, ...p2.items, ...p3.items].map((u) => u.id)).size, 7);
  assert.equal(/argon2|password_hash|"password"/i.test(JSON.stringify(all)), false, 'no password material in user lists');
});

test('PATCH display_name and role; refused fields change nothing', async () => {
  const { user } = await createUser(admin, { role: 'operator_staff', org_id: org.id, display_name: '王五' });
  const r = await admin.patch(`/api/v1/users/${user.id}`, { display_name: '王五五', role: 'operator_admin' });
  assert.equal(r.status, 200, `${r}`);
  assertShape('USER', r.json);
  assert.equal(r.json.display_name, '王五五');
  assert.equal(r.json.role, 'operator_admin');
  assert.deepEqual((await admin.get(`/api/v1/users/${user.id}`)).json, r.json);
  const a = await admin.get('/api/v1/audit?action=user.update&limit=50');
  const rec = a.json.items.find((x) => x.entity_id === user.id);
  assert.ok(rec, 'user.update audited');
  assert.equal(rec.before.display_name, '王五');
  assert.equal(rec.after.display_name, '王五五');

  const audits = await auditTotal(admin);
  assertError(await admin.patch(`/api/v1/users/${user.id}`, { username: 'renamed' }), 400, 'unknown_field', 'username');
  assertError(await admin.patch(`/api/v1/users/${user.id}`, { org_id: org2.id }), 400, 'unknown_field', 'org_id');
  assertError(await admin.patch(`/api/v1/users/${user.id}`, { role: 'god' }), 400, 'validation_failed', 'role');
  assertError(await admin.patch(`/api/v1/users/${user.id}`, { disabled: 'yes' }), 400, 'validation_failed', 'disabled');
  assertError(await admin.patch(`/api/v1/users/${user.id}`, { display_name: '' }), 400, 'validation_failed', 'display_name');
  assert.deepEqual((await admin.get(`/api/v1/users/${user.id}`)).json, r.json);
  assert.equal(await auditTotal(admin), audits);
  for (const id of ['999999999', 'abc']) {
    assertError(await admin.get(`/api/v1/users/${id}`), 404, 'not_found');
    assertError(await admin.patch(`/api/v1/users/${id}`, { display_name: 'x' }), 404, 'not_found');
    assertError(await admin.post(`/api/v1/users/${id}/password`, {}), 404, 'not_found');
  }
});

test('disabling a user revokes its sessions and blocks login; enabling restores login', async () => {
  const { user, initial_password } = await createUser(admin, { role: 'operator_admin', org_id: org.id });
  const c = await activate(srv, user.username, initial_password);
  const second = srv.client();
  assert.equal((await second.login(user.username, c.password)).status, 200);

  const r = await admin.patch(`/api/v1/users/${user.id}`, { disabled: true });
  assert.equal(r.status, 200, `${r}`);
  assert.equal(r.json.disabled, true);
  assertError(await c.get('/api/v1/me'), 401, 'unauthenticated');
  assertError(await second.get('/api/v1/me'), 401, 'unauthenticated');
  const l = await srv.client().login(user.username, c.password);
  assert.notEqual(l.status, 200, `disabled user logged in: ${l}`);
  assert.ok(l.status === 401 || l.status === 403 || l.status === 423, `disabled login: ${l}`);
  assert.equal(l.setCookies.some((s) => /^fanghu_session=[^;]+/.test(s) && !/max-age=0/i.test(s)), false);

  const e = await admin.patch(`/api/v1/users/${user.id}`, { disabled: false });
  assert.equal(e.status, 200);
  assert.equal(e.json.disabled, false);
  assert.equal((await srv.client().login(user.username, c.password)).status, 200);
});

test('admin password reset: new one-time password, old one dead, must change again', async () => {
  const { user, initial_password } = await createUser(admin, { role: 'operator_staff', org_id: org.id });
  const c = await activate(srv, user.username, initial_password);
  const r = await admin.post(`/api/v1/users/${user.id}/password`, {});
  assert.equal(r.status, 200, `${r}`);
  assert.deepEqual(Object.keys(r.json), ['initial_password']);
  assert.ok(meetsPolicy(r.json.initial_password, user.username));
  assert.notEqual(r.json.initial_password, initial_password);
  assertError(await srv.client().login(user.username, c.password), 401, 'invalid_credentials');
  const n = srv.client();
  const l = await n.login(user.username, r.json.initial_password);
  assert.equal(l.status, 200);
  assert.equal(l.json.must_change_password, true);
  assertError(await n.get('/api/v1/orgs'), 403, 'password_change_required');
  assert.equal((await admin.get(`/api/v1/users/${user.id}`)).json.must_change_password, true);
  // A body is optional; unknown fields are still refused.
  assertError(await admin.post(`/api/v1/users/${user.id}/password`, { password: 'x' }), 400, 'unknown_field', 'password');
});

test('a disabled user\'s API tokens stop working too', async () => {
  const { user, initial_password } = await createUser(admin, { role: 'operator_admin', org_id: org.id });
  const c = await activate(srv, user.username, initial_password);
  const tok = await c.post('/api/v1/tokens', { name: 'before-disable', scope: 'read' });
  assert.equal(tok.status, 201, `${tok}`);
  const bearer = srv.client();
  bearer.bearer = tok.json.token;
  assert.equal((await bearer.get('/api/v1/orgs')).status, 200);
  assert.equal((await admin.patch(`/api/v1/users/${user.id}`, { disabled: true })).status, 200);
  assertError(await bearer.get('/api/v1/orgs'), 401, 'unauthenticated');
});
