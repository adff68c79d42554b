// Tenant scope: two operator trees, regulators with jurisdictions, a national regulator and an
// auditor. Every endpoint is tried with every other tenant's ids: outside scope is always 404
// (never 403), lists never carry another tenant's rows, and writes follow the role rules.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, assertError, assertList, createOrg, userWithClient, uniq, uscc, listAll, auditTotal, Soft,
} from './lib.mjs';

let srv, admin;
const O = {}; // orgs by short name
const U = {}; // {user, client} by short name
const T = {}; // token ids by user short name

before(async () => {
  srv = await startServer();
  admin = await srv.admin();
  O.A = await createOrg(admin, { name: uniq('甲通信集团'), kind: 'telecom_group', province: '11' });
  O.A1 = await createOrg(admin, { name: uniq('甲福建公司'), kind: 'telecom_provincial', province: '35', parent_id: O.A.id });
  O.A2 = await createOrg(admin, { name: uniq('甲广东公司'), kind: 'telecom_provincial', province: '44', parent_id: O.A.id });
  O.B = await createOrg(admin, { name: uniq('乙通信集团'), kind: 'telecom_group', province: '11' });
  O.B1 = await createOrg(admin, { name: uniq('乙广东公司'), kind: 'telecom_provincial', province: '44', parent_id: O.B.id });
  O.V = await createOrg(admin, { name: uniq('福建某增值'), kind: 'vas', province: '35' });
  O.R = await createOrg(admin, { name: uniq('福建省通信管理局'), kind: 'regulator_ca', province: '35', jurisdiction: [{ province: '35', kind: '*' }] });
  O.R2 = await createOrg(admin, { name: uniq('增值业务监管'), kind: 'regulator_miit', province: '44', jurisdiction: [{ province: '*', kind: 'vas' }] });
  O.N = await createOrg(admin, { name: uniq('部网络安全管理局'), kind: 'regulator_ministry', province: '00', jurisdiction: [{ province: '*', kind: '*' }] });

  U.adminA = await userWithClient(srv, admin, { role: 'operator_admin', org_id: O.A.id });
  U.adminA1 = await userWithClient(srv, admin, { role: 'operator_admin', org_id: O.A1.id });
  U.staffA1 = await userWithClient(srv, admin, { role: 'operator_staff', org_id: O.A1.id });
  U.adminB = await userWithClient(srv, admin, { role: 'operator_admin', org_id: O.B.id });
  U.staffB1 = await userWithClient(srv, admin, { role: 'operator_staff', org_id: O.B1.id });
  U.regR = await userWithClient(srv, admin, { role: 'regulator', org_id: O.R.id });
  U.regR2 = await userWithClient(srv, admin, { role: 'regulator', org_id: O.R2.id });
  U.natN = await userWithClient(srv, admin, { role: 'national_regulator', org_id: O.N.id });
  U.aud = await userWithClient(srv, admin, { role: 'auditor', org_id: O.N.id });

  // An operator admin creates a grandchild in its own tree (operator kind): allowed.
  const r = await U.adminA.client.post('/api/v1/orgs', { name: uniq('甲福建增值子公司'), kind: 'vas', uscc: uscc(), province: '35', parent_id: O.A1.id });
  assert.equal(r.status, 201, `operator_admin creates a child in its tree: ${r}`);
  O.A1c = r.json;

  for (const [k, u] of Object.entries(U)) {
    const t = await u.client.post('/api/v1/tokens', { name: `${k}-token`, scope: 'read' });
    assert.equal(t.status, 201, `token for ${k}: ${t}`);
    T[k] = t.json.id;
  }
});
after(async () => { await srv?.close(); });

/** Everything the sysadmin sees, and the expected visible set per user. */
async function expectations() {
  const orgs = (await listAll(admin, '/api/v1/orgs')).items;
  const users = (await listAll(admin, '/api/v1/users')).items;
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const subtree = (rootId) => new Set(orgs.filter((o) => {
    for (let x = o; x; x = x.parent_id ? byId.get(x.parent_id) : null) if (x.id === rootId) return true;
    return false;
  }).map((o) => o.id));
  const juris = (reg) => new Set(orgs.filter((o) => o.id === reg.id || reg.jurisdiction.some((j) =>
    (j.province === '*' || j.province === o.province) && (j.kind === '*' || j.kind === o.kind))).map((o) => o.id));
  const all = new Set(orgs.map((o) => o.id));
  const orgScope = {
    adminA: subtree(O.A.id), adminA1: subtree(O.A1.id), staffA1: subtree(O.A1.id),
    adminB: subtree(O.B.id), staffB1: subtree(O.B1.id),
    regR: juris(byId.get(O.R.id)), regR2: juris(byId.get(O.R2.id)), natN: juris(byId.get(O.N.id)),
    // An auditor of an organisation sees what its organisation sees: here the ministry's
    // jurisdiction (*, *), i.e. every organisation; a system auditor (no organisation) sees all.
    aud: juris(byId.get(O.N.id)),
  };
  assert.deepEqual(sorted(orgScope.aud), sorted(all), 'the ministry auditor covers every organisation');
  const userScope = Object.fromEntries(Object.entries(orgScope).map(([k, s]) =>
    [k, new Set(users.filter((u) => s.has(u.org_id)).map((u) => u.id))]));
  return { orgs, users, orgScope, userScope };
}

const sorted = (it) => [...it].sort();

test('the expected scopes are what the contract says (sanity of the fixture)', async () => {
  const { orgScope } = await expectations();
  assert.deepEqual(sorted(orgScope.adminA), sorted([O.A.id, O.A1.id, O.A2.id, O.A1c.id]));
  assert.deepEqual(sorted(orgScope.staffA1), sorted([O.A1.id, O.A1c.id]));
  assert.deepEqual(sorted(orgScope.adminB), sorted([O.B.id, O.B1.id]));
  assert.ok(orgScope.regR.has(O.A1.id) && orgScope.regR.has(O.V.id) && orgScope.regR.has(O.A1c.id));
  assert.ok(!orgScope.regR.has(O.A.id) && !orgScope.regR.has(O.B1.id) && !orgScope.regR.has(O.A2.id));
  assert.ok(orgScope.regR2.has(O.V.id) && orgScope.regR2.has(O.A1c.id) && !orgScope.regR2.has(O.A1.id));
});

test('GET /orgs lists exactly the caller\'s scope', async () => {
  const { orgScope } = await expectations();
  const soft = new Soft();
  for (const [k, u] of Object.entries(U)) {
    await soft.run(`${k} (${u.user.role})`, async () => {
      const got = (await listAll(u.client, '/api/v1/orgs')).items;
      assert.deepEqual(sorted(got.map((o) => o.id)), sorted(orgScope[k]), 'org ids listed');
      const t = assertList(await u.client.get('/api/v1/orgs?limit=1'));
      assert.equal(t.total, orgScope[k].size, 'total counts only its scope');
    });
  }
  soft.done('scopes');
});

test('GET /orgs/{id}: 200 inside scope, 404 outside (every org, every user)', async () => {
  const { orgs, orgScope } = await expectations();
  const soft = new Soft();
  for (const [k, u] of Object.entries(U)) {
    for (const o of orgs) {
      await soft.run(`${k} (${u.user.role}) GET org ${o.name} (${orgScope[k].has(o.id) ? 'in' : 'out of'} scope)`, async () => {
        const r = await u.client.get(`/api/v1/orgs/${o.id}`);
        if (orgScope[k].has(o.id)) assert.equal(r.status, 200, `${r}`);
        else assertError(r, 404, 'not_found');
      });
    }
  }
  soft.done('GETs');
});

test('PATCH /orgs/{id} outside scope → 404 for every role, and nothing changes', async () => {
  const { orgs, orgScope } = await expectations();
  const audits = await auditTotal(admin);
  const soft = new Soft();
  for (const [k, u] of Object.entries(U)) {
    for (const o of orgs) {
      if (orgScope[k].has(o.id)) continue;
      await soft.run(`${k} PATCH ${o.name}`, async () =>
        assertError(await u.client.patch(`/api/v1/orgs/${o.id}`, { name: 'hijacked' }), 404, 'not_found'));
    }
  }
  soft.done('PATCHes');
  const after = (await listAll(admin, '/api/v1/orgs')).items;
  assert.deepEqual(after, orgs, 'no org changed');
  assert.equal(await auditTotal(admin), audits);
});

test('read-only roles: PATCH inside scope → 403 forbidden, nothing changes', async () => {
  const audits = await auditTotal(admin);
  const cases = [['staffA1', O.A1], ['regR', O.A1], ['regR', O.R], ['natN', O.B], ['aud', O.A], ['staffB1', O.B1]];
  const soft = new Soft();
  for (const [k, o] of cases) {
    await soft.run(`${k} PATCH ${o.name}`, async () => {
      assertError(await U[k].client.patch(`/api/v1/orgs/${o.id}`, { name: 'nope' }), 403, 'forbidden');
      assert.equal((await admin.get(`/api/v1/orgs/${o.id}`)).json.name, o.name);
    });
  }
  assert.equal(await auditTotal(admin), audits);
  soft.done('read-only PATCHes');
});

test('POST /orgs: operator_admin only under its tree and only operator kinds; others forbidden', async () => {
  const before = (await admin.get('/api/v1/orgs?limit=1')).json.total;
  const audits = await auditTotal(admin);
  const soft = new Soft();
  const body = (extra) => ({ name: uniq('越权'), kind: 'vas', uscc: uscc(), province: '35', ...extra });
  // Parent outside the tree: 404, the parent's existence is not revealed.
  for (const [k, parent] of [['adminA', O.B], ['adminA', O.R], ['adminA1', O.A], ['adminB', O.A1]]) {
    await soft.run(`${k} POST /orgs under ${parent.name}`, async () =>
      assertError(await U[k].client.post('/api/v1/orgs', body({ parent_id: parent.id })), 404, 'not_found'));
  }
  // No parent (a new top-level tenant) and non-operator kinds are not an operator admin's to make.
  for (const b of [body({}), body({ parent_id: O.A.id, kind: 'regulator_ca', jurisdiction: [{ province: '*', kind: '*' }] }),
    body({ parent_id: O.A.id, kind: 'regulator_ministry' })]) {
    await soft.run(`adminA POST ${JSON.stringify(b)}`, async () => {
      const r = await U.adminA.client.post('/api/v1/orgs', b);
      assert.ok(r.status === 403 || r.status === 400, `${r}`);
    });
  }
  // Read-only roles: forbidden even with a parent in scope.
  for (const [k, parent] of [['staffA1', O.A1], ['regR', O.A1], ['natN', O.A], ['aud', O.A]]) {
    await soft.run(`${k} POST /orgs under ${parent.name}`, async () =>
      assertError(await U[k].client.post('/api/v1/orgs', body({ parent_id: parent.id })), 403, 'forbidden'));
  }
  soft.done('org creations');
  assert.equal((await admin.get('/api/v1/orgs?limit=1')).json.total, before, 'nothing created');
  assert.equal(await auditTotal(admin), audits);
});

test('GET /users lists exactly the users of the caller\'s scope', async () => {
  const { userScope } = await expectations();
  const soft = new Soft();
  for (const [k, u] of Object.entries(U)) {
    await soft.run(`${k} (${u.user.role})`, async () => {
      const got = (await listAll(u.client, '/api/v1/users')).items;
      assert.deepEqual(sorted(got.map((x) => x.id)), sorted(userScope[k]), 'user ids listed');
    });
  }
  soft.done('user lists');
});

test('GET/PATCH /users/{id} and password reset outside scope → 404; nothing changes', async () => {
  const { users, userScope } = await expectations();
  const audits = await auditTotal(admin);
  const soft = new Soft();
  for (const [k, u] of Object.entries(U)) {
    for (const x of users) {
      if (userScope[k].has(x.id)) {
        await soft.run(`${k} GET in-scope user ${x.username}`, async () =>
          assert.equal((await u.client.get(`/api/v1/users/${x.id}`)).status, 200));
        continue;
      }
      await soft.run(`${k} GET user ${x.username}`, async () =>
        assertError(await u.client.get(`/api/v1/users/${x.id}`), 404, 'not_found'));
      await soft.run(`${k} PATCH user ${x.username}`, async () =>
        assertError(await u.client.patch(`/api/v1/users/${x.id}`, { disabled: true }), 404, 'not_found'));
      await soft.run(`${k} reset password of ${x.username}`, async () =>
        assertError(await u.client.post(`/api/v1/users/${x.id}/password`, {}), 404, 'not_found'));
    }
  }
  soft.done('user requests');
  assert.deepEqual((await listAll(admin, '/api/v1/users')).items.map((x) => [x.id, x.disabled, x.display_name]),
    users.map((x) => [x.id, x.disabled, x.display_name]), 'no user changed');
  assert.equal(await auditTotal(admin), audits);
  // The sessions of the other tenants still work (nothing was disabled or reset).
  for (const u of Object.values(U)) assert.equal((await u.client.get('/api/v1/me')).status, 200);
});

test('POST/PATCH /users: operator_admin within its tree and operator roles only', async () => {
  const before = (await admin.get('/api/v1/users?limit=1')).json.total;
  const soft = new Soft();
  const body = (extra) => ({ username: uniq('scope'), display_name: '越权用户', role: 'operator_staff', ...extra });
  for (const [k, org] of [['adminA', O.B], ['adminA', O.R], ['adminA1', O.A]]) {
    await soft.run(`${k} POST /users in ${org.name}`, async () =>
      assertError(await U[k].client.post('/api/v1/users', body({ org_id: org.id })), 404, 'not_found'));
  }
  for (const role of ['sysadmin', 'regulator', 'national_regulator', 'auditor']) {
    await soft.run(`adminA creates a ${role}`, async () => {
      const r = await U.adminA.client.post('/api/v1/users', body({ org_id: O.A1.id, role }));
      assert.ok(r.status === 403 || r.status === 400, `${r}`);
    });
  }
  for (const k of ['staffA1', 'regR', 'natN', 'aud', 'staffB1']) {
    await soft.run(`${k} POST /users in its own org`, async () =>
      assertError(await U[k].client.post('/api/v1/users', body({ org_id: U[k].user.org_id })), 403, 'forbidden'));
  }
  soft.done('user creations');
  assert.equal((await admin.get('/api/v1/users?limit=1')).json.total, before, 'nothing created');

  // Allowed: a staff user in a descendant org, then an update of it.
  const ok = await U.adminA.client.post('/api/v1/users', body({ org_id: O.A1c.id }));
  assert.equal(ok.status, 201, `${ok}`);
  const p = await U.adminA.client.patch(`/api/v1/users/${ok.json.user.id}`, { display_name: '改名', role: 'operator_admin' });
  assert.equal(p.status, 200, `${p}`);
  const esc = await U.adminA.client.patch(`/api/v1/users/${ok.json.user.id}`, { role: 'sysadmin' });
  assert.ok(esc.status === 403 || esc.status === 400, `operator_admin promotes to sysadmin: ${esc}`);
  assert.equal((await admin.get(`/api/v1/users/${ok.json.user.id}`)).json.role, 'operator_admin');
  // Read-only roles cannot update users in their scope.
  const soft2 = new Soft();
  for (const [k, target] of [['regR', 'staffA1'], ['staffA1', 'adminA1'], ['aud', 'staffA1'], ['natN', 'staffB1']]) {
    await soft2.run(`${k} PATCH in-scope user ${target}`, async () =>
      assertError(await U[k].client.patch(`/api/v1/users/${U[target].user.id}`, { display_name: 'x' }), 403, 'forbidden'));
  }
  soft2.done('read-only user updates');
});

test('list filters cannot reach outside scope', async () => {
  const a = U.adminA.client;
  assert.equal(assertList(await a.get(`/api/v1/orgs?parent_id=${O.B.id}`)).total, 0);
  assert.equal(assertList(await a.get(`/api/v1/orgs?q=${encodeURIComponent(O.B.name)}`)).total, 0);
  assert.equal(assertList(await a.get(`/api/v1/orgs?province=44&kind=telecom_provincial&limit=500`)).items.some((o) => o.id === O.B1.id), false);
  const u = await a.get(`/api/v1/users?org_id=${O.B.id}`);
  if (u.status === 200) assert.equal(u.json.total, 0); else assertError(u, 404, 'not_found');
  assert.equal(assertList(await a.get(`/api/v1/users?q=${encodeURIComponent(U.adminB.user.username)}`)).total, 0);
  assert.equal(assertList(await U.regR.client.get(`/api/v1/orgs?parent_id=${O.B.id}`)).total, 0);
});

test('tokens: list only one\'s own; DELETE of another tenant\'s (or user\'s) token → 404', async () => {
  const soft = new Soft();
  for (const [k, u] of Object.entries(U)) {
    await soft.run(`${k} lists only its token`, async () =>
      assert.deepEqual(assertList(await u.client.get('/api/v1/tokens')).items.map((t) => t.id), [T[k]]));
    for (const [k2, id] of Object.entries(T)) {
      if (k2 === k) continue;
      await soft.run(`${k} DELETE ${k2}'s token`, async () =>
        assertError(await u.client.del(`/api/v1/tokens/${id}`), 404, 'not_found'));
    }
  }
  soft.done('token requests');
  const all = assertList(await admin.get('/api/v1/tokens?limit=500'));
  for (const id of Object.values(T)) assert.ok(all.items.some((t) => t.id === id), `token ${id} survived`);
});

test('a read token carries its user\'s scope', async () => {
  const { orgScope } = await expectations();
  const t = await U.regR.client.post('/api/v1/tokens', { name: 'scoped', scope: 'read' });
  const c = srv.client();
  c.bearer = t.json.token;
  const got = (await listAll(c, '/api/v1/orgs')).items.map((o) => o.id);
  assert.deepEqual(sorted(got), sorted(orgScope.regR));
  assertError(await c.get(`/api/v1/orgs/${O.B.id}`), 404, 'not_found');
  assert.equal((await U.regR.client.del(`/api/v1/tokens/${t.json.id}`)).status, 204);
});

test('jurisdiction changes take effect at once', async () => {
  const r = await admin.patch(`/api/v1/orgs/${O.R2.id}`, { jurisdiction: [{ province: '44', kind: 'telecom_provincial' }] });
  assert.equal(r.status, 200, `${r}`);
  const { orgScope } = await expectations();
  const got = (await listAll(U.regR2.client, '/api/v1/orgs')).items.map((o) => o.id);
  assert.deepEqual(sorted(got), sorted(orgScope.regR2));
  assert.ok(got.includes(O.B1.id) && got.includes(O.A2.id) && !got.includes(O.V.id));
  assertError(await U.regR2.client.get(`/api/v1/orgs/${O.V.id}`), 404, 'not_found');
});
