// The contract's exact shapes: USER, ORG, TOKEN, AUDIT, the login and /me bodies, /meta, the
// error envelope — every key present with its type, and no key the contract does not list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, assertShape, createOrg, createUser, activate, Soft, ADMIN_NEW_PASSWORD } from './lib.mjs';

let srv, admin;
before(async () => { srv = await startServer(); admin = await srv.admin(); });
after(async () => { await srv?.close(); });

const keys = (o) => Object.keys(o).sort();

test('exact shapes of every contract object', async () => {
  const soft = new Soft();
  const org = await createOrg(admin, {});
  const child = await createOrg(admin, { kind: 'telecom_provincial', parent_id: org.id });
  const reg = await createOrg(admin, { kind: 'regulator_ca', jurisdiction: [{ province: '35', kind: '*' }] });
  const created = await admin.post('/api/v1/users', { username: 'shape_user_1', display_name: '形状', role: 'operator_staff', org_id: org.id });
  const tok = await admin.post('/api/v1/tokens', { name: 'shape', scope: 'read' });

  await soft.run('POST /users body keys', () => assert.deepEqual(keys(created.json), ['initial_password', 'user']));
  await soft.run('USER (operator_staff, from POST /users)', () => assertShape('USER', created.json.user, {}, { exact: true }));
  const staff = await activate(srv, 'shape_user_1', created.json.initial_password);
  await soft.run('USER (GET /users/{id})', async () =>
    assertShape('USER', (await admin.get(`/api/v1/users/${created.json.user.id}`)).json, {}, { exact: true }));

  const login = await srv.client().login('admin', ADMIN_NEW_PASSWORD);
  await soft.run('login body keys', () => assert.deepEqual(keys(login.json), ['csrf_token', 'must_change_password', 'user']));
  await soft.run('USER (sysadmin, from login)', () => assertShape('USER', login.json.user, {}, { exact: true }));
  const me = await staff.get('/api/v1/me');
  await soft.run('GET /me body keys', () => assert.deepEqual(keys(me.json), ['csrf_token', 'must_change_password', 'user']));
  await soft.run('USER (GET /me)', () => assertShape('USER', me.json.user, {}, { exact: true }));
  const meAdmin = await admin.get('/api/v1/me');
  await soft.run('USER (sysadmin, GET /me)', () => assertShape('USER', meAdmin.json.user, {}, { exact: true }));

  await soft.run('ORG (top level)', () => assertShape('ORG', org, {}, { exact: true }));
  await soft.run('ORG (child)', () => assertShape('ORG', child, {}, { exact: true }));
  await soft.run('ORG (regulator)', () => assertShape('ORG', reg, {}, { exact: true }));
  await soft.run('ORG (list item)', async () =>
    assertShape('ORG', (await admin.get('/api/v1/orgs?limit=1')).json.items[0], {}, { exact: true }));

  await soft.run('TOKEN (POST, with token)', () =>
    assertShape('TOKEN', tok.json, { token: (v) => typeof v === 'string' && v.startsWith('fh_') }, { exact: true }));
  await soft.run('TOKEN (list item)', async () =>
    assertShape('TOKEN', (await admin.get('/api/v1/tokens')).json.items[0], {}, { exact: true }));

  const audit = await admin.get('/api/v1/audit?limit=500');
  for (const a of audit.json.items) {
    await soft.run(`AUDIT ${a.action}`, () => assertShape('AUDIT', a, {}, { exact: true }));
  }

  const meta = (await admin.get('/api/v1/meta')).json;
  await soft.run('meta keys', () => assert.deepEqual(keys(meta), ['org_kinds', 'provinces', 'roles']));
  // org_kinds also say whether a kind is a regulator (the console builds forms from it).
  const metaKeys = { org_kinds: 'code,name,regulator', roles: 'code,name', provinces: 'code,name' };
  for (const list of ['org_kinds', 'roles', 'provinces']) {
    await soft.run(`meta ${list} item keys`, () =>
      assert.deepEqual([...new Set(meta[list].map((x) => keys(x).join(',')))], [metaKeys[list]]));
  }
  await soft.run('meta provinces include 00 全国', () =>
    assert.ok(meta.provinces.some((p) => p.code === '00' && p.name === '全国')));

  const err = await admin.get('/api/v1/orgs/999999999');
  await soft.run('error envelope', () => {
    assert.deepEqual(keys(err.json), ['error']);
    // fields lists every field at fault ([] when none; field is its first entry).
    assert.deepEqual(keys(err.json.error), ['code', 'field', 'fields', 'message']);
    assert.ok(Array.isArray(err.json.error.fields));
  });
  soft.done('shape checks');
});
