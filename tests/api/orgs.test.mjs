// Organisations: create, read, update, list with filters and pagination; the 统一社会信用代码 check.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, assertError, assertShape, assertList, createOrg, uscc, uniq, listAll, auditTotal,
  VALID_USCC, INVALID_USCC,
} from './lib.mjs';

let srv, admin;
before(async () => { srv = await startServer(); admin = await srv.admin(); });
after(async () => { await srv?.close(); });

test('create an organisation: 201 ORG with names resolved', async () => {
  const name = uniq('福建某增值电信企业');
  const r = await admin.post('/api/v1/orgs', { name, kind: 'vas', uscc: VALID_USCC, province: '35' });
  assert.equal(r.status, 201, `${r}`);
  assertShape('ORG', r.json);
  assert.equal(r.json.name, name);
  assert.equal(r.json.kind, 'vas');
  assert.equal(r.json.kind_name, '增值电信企业');
  assert.equal(r.json.uscc, VALID_USCC);
  assert.equal(r.json.province, '35');
  assert.match(r.json.province_name, /^福建/);
  assert.equal(r.json.parent_id, null);
  assert.equal(r.json.parent_name, null);
  assert.deepEqual(r.json.jurisdiction, []);
  const g = await admin.get(`/api/v1/orgs/${r.json.id}`);
  assert.equal(g.status, 200);
  assert.deepEqual(g.json, r.json, 'GET returns what POST returned');
});

test('统一社会信用代码: bad check character → 400 field uscc, nothing created', async () => {
  const before = (await admin.get('/api/v1/orgs?limit=1')).json.total;
  const audits = await auditTotal(admin);
  const bad = [
    INVALID_USCC, // wrong check character
    '91350100M000100Y4', // 17 characters
    '91350100M000100Y433', // 19 characters
    '91350100M000100I43', // I is not in the alphabet
    '',
    '９１350100M000100Y43', // full-width digits
  ];
  for (const code of bad) {
    assertError(await admin.post('/api/v1/orgs', { name: uniq('坏码'), kind: 'vas', uscc: code, province: '35' }),
      400, 'validation_failed', 'uscc');
  }
  assertError(await admin.post('/api/v1/orgs', { name: uniq('无码'), kind: 'vas', province: '35' }), 400, 'validation_failed', 'uscc');
  assert.equal((await admin.get('/api/v1/orgs?limit=1')).json.total, before);
  assert.equal(await auditTotal(admin), audits, 'no audit record for refused input');
});

test('the same 统一社会信用代码 twice → 409 conflict', async () => {
  const code = uscc();
  await createOrg(admin, { uscc: code });
  const before = (await admin.get('/api/v1/orgs?limit=1')).json.total;
  assertError(await admin.post('/api/v1/orgs', { name: uniq('重复'), kind: 'vas', uscc: code, province: '35' }), 409, 'conflict');
  assert.equal((await admin.get('/api/v1/orgs?limit=1')).json.total, before);
});

test('required fields and enumerations are checked, field named', async () => {
  const ok = () => ({ name: uniq('字段'), kind: 'vas', uscc: uscc(), province: '35' });
  const cases = [
    [{ name: undefined }, 'name'],
    [{ name: '' }, 'name'],
    [{ kind: undefined }, 'kind'],
    [{ kind: 'bank' }, 'kind'],
    [{ province: undefined }, 'province'],
    [{ province: '99' }, 'province'],
    [{ province: '3' }, 'province'],
    [{ province: 35 }, 'province'],
    [{ name: 12 }, 'name'],
    [{ uscc: 91350100 }, 'uscc'],
  ];
  const before = (await admin.get('/api/v1/orgs?limit=1')).json.total;
  for (const [patch, field] of cases) {
    const body = { ...ok(), ...patch };
    for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
    assertError(await admin.post('/api/v1/orgs', body), 400, 'validation_failed', field);
  }
  assert.equal((await admin.get('/api/v1/orgs?limit=1')).json.total, before);
});

test('a name of only blanks is no name → 400 field name', async () => {
  const before = (await admin.get('/api/v1/orgs?limit=1')).json.total;
  for (const name of ['   ', '\t', '\u3000']) {
    assertError(await admin.post('/api/v1/orgs', { name, kind: 'vas', uscc: uscc(), province: '35' }), 400, 'validation_failed', 'name');
  }
  assert.equal((await admin.get('/api/v1/orgs?limit=1')).json.total, before);
});

test('child organisation: parent_id and parent_name; unknown parent refused', async () => {
  const group = await createOrg(admin, { kind: 'telecom_group', province: '11', name: uniq('中国某通信集团有限公司') });
  const child = await createOrg(admin, { kind: 'telecom_provincial', province: '35', parent_id: group.id, name: uniq('福建分公司') });
  assert.equal(child.parent_id, group.id);
  assert.equal(child.parent_name, group.name);
  const before = (await admin.get('/api/v1/orgs?limit=1')).json.total;
  const r = await admin.post('/api/v1/orgs', { name: uniq('孤儿'), kind: 'vas', uscc: uscc(), province: '35', parent_id: '987654321' });
  assert.ok(r.status === 404 || r.status === 400, `unknown parent: ${r}`);
  if (r.status === 404) assertError(r, 404, 'not_found'); else assertError(r, 400, 'validation_failed', 'parent_id');
  assertError(await admin.post('/api/v1/orgs', { name: uniq('坏父'), kind: 'vas', uscc: uscc(), province: '35', parent_id: 5 }),
    400, 'validation_failed', 'parent_id');
  assert.equal((await admin.get('/api/v1/orgs?limit=1')).json.total, before);
});

test('regulator jurisdiction: stored, returned, validated', async () => {
  const reg = await createOrg(admin, {
    kind: 'regulator_ca', province: '35', name: uniq('福建省通信管理局'),
    jurisdiction: [{ province: '35', kind: '*' }, { province: '*', kind: 'dns' }],
  });
  assert.deepEqual([...reg.jurisdiction].sort((a, b) => a.kind.localeCompare(b.kind)),
    [{ province: '35', kind: '*' }, { province: '*', kind: 'dns' }].sort((a, b) => a.kind.localeCompare(b.kind)));
  const before = (await admin.get('/api/v1/orgs?limit=1')).json.total;
  for (const j of [[{ province: '99', kind: '*' }], [{ province: '35', kind: 'bank' }], [{ province: '35' }],
    [{ province: '35', kind: '*', extra: 1 }], 'all', [null]]) {
    const r = await admin.post('/api/v1/orgs', { name: uniq('坏辖区'), kind: 'regulator_ca', uscc: uscc(), province: '35', jurisdiction: j });
    assert.equal(r.status, 400, `jurisdiction ${JSON.stringify(j)}: ${r}`);
    assert.ok(['validation_failed', 'unknown_field'].includes(r.code), `${r}`);
    assert.match(r.field, /jurisdiction|extra/, `field named: ${r}`);
  }
  // Jurisdiction belongs to regulator organisations only.
  assertError(await admin.post('/api/v1/orgs', { name: uniq('非监管'), kind: 'vas', uscc: uscc(), province: '35', jurisdiction: [{ province: '35', kind: '*' }] }),
    400, 'validation_failed', 'jurisdiction');
  assert.equal((await admin.get('/api/v1/orgs?limit=1')).json.total, before);

  const p = await admin.patch(`/api/v1/orgs/${reg.id}`, { jurisdiction: [{ province: '35', kind: 'vas' }] });
  assert.equal(p.status, 200, `${p}`);
  assert.deepEqual(p.json.jurisdiction, [{ province: '35', kind: 'vas' }]);
  assert.deepEqual((await admin.get(`/api/v1/orgs/${reg.id}`)).json.jurisdiction, [{ province: '35', kind: 'vas' }]);
});

test('PATCH: allowed fields change, others refused, updated_at moves, audit has before/after', async () => {
  const org = await createOrg(admin, { name: uniq('改名前') });
  await new Promise((r) => setTimeout(r, 1100));
  const newName = uniq('改名后');
  const newCode = uscc();
  const r = await admin.patch(`/api/v1/orgs/${org.id}`, { name: newName, uscc: newCode, province: '44' });
  assert.equal(r.status, 200, `${r}`);
  assertShape('ORG', r.json);
  assert.equal(r.json.name, newName);
  assert.equal(r.json.uscc, newCode);
  assert.equal(r.json.province, '44');
  assert.match(r.json.province_name, /^广东/);
  assert.equal(r.json.created_at, org.created_at);
  assert.ok(Date.parse(r.json.updated_at) > Date.parse(org.updated_at), 'updated_at moved');
  assert.deepEqual((await admin.get(`/api/v1/orgs/${org.id}`)).json, r.json);

  const a = await admin.get(`/api/v1/audit?action=org.update&entity=org&limit=5`);
  assert.equal(a.status, 200);
  const rec = a.json.items.find((x) => x.entity_id === org.id);
  assert.ok(rec, `org.update audit record for ${org.id}: ${a}`);
  assert.equal(rec.before.name, org.name);
  assert.equal(rec.after.name, newName);

  const audits = await auditTotal(admin);
  assertError(await admin.patch(`/api/v1/orgs/${org.id}`, { uscc: INVALID_USCC }), 400, 'validation_failed', 'uscc');
  assertError(await admin.patch(`/api/v1/orgs/${org.id}`, { kind: 'dns' }), 400, 'unknown_field', 'kind');
  assertError(await admin.patch(`/api/v1/orgs/${org.id}`, { parent_id: null }), 400, 'unknown_field', 'parent_id');
  assertError(await admin.patch(`/api/v1/orgs/${org.id}`, { name: '' }), 400, 'validation_failed', 'name');
  assertError(await admin.patch(`/api/v1/orgs/${org.id}`, { province: '00x' }), 400, 'validation_failed', 'province');
  assertError(await admin.patch(`/api/v1/orgs/${org.id}`, { name: 'ok', id: '1' }), 400, 'unknown_field', 'id');
  assert.deepEqual((await admin.get(`/api/v1/orgs/${org.id}`)).json, r.json, 'refused PATCHes changed nothing');
  assert.equal(await auditTotal(admin), audits);
});

test('GET/PATCH of an unknown id → 404 not_found', async () => {
  for (const id of ['999999999', 'abc', '0', '-1', '1.5', '1%20OR%201=1']) {
    assertError(await admin.get(`/api/v1/orgs/${id}`), 404, 'not_found');
    assertError(await admin.patch(`/api/v1/orgs/${id}`, { name: 'x' }), 404, 'not_found');
  }
});

test('list: envelope, default limit 50, pagination, filters', async () => {
  const tag = uniq('批量');
  const group = await createOrg(admin, { kind: 'telecom_group', province: '11', name: `${tag}集团` });
  const made = [group];
  for (let i = 0; i < 55; i++) {
    made.push(await createOrg(admin, {
      name: `${tag}-${String(i).padStart(2, '0')}`,
      kind: i % 2 ? 'telecom_provincial' : 'dns',
      province: i % 3 ? '35' : '44',
      ...(i % 2 ? { parent_id: group.id } : {}),
    }));
  }
  const all = assertList(await admin.get('/api/v1/orgs'));
  assert.equal(all.items.length, 50, 'default limit is 50');
  assert.ok(all.total >= 56);
  for (const o of all.items) assertShape('ORG', o);

  const q = assertList(await admin.get(`/api/v1/orgs?q=${encodeURIComponent(tag)}&limit=500`));
  assert.equal(q.total, 56);
  assert.deepEqual(q.items.map((o) => o.id).sort(), made.map((o) => o.id).sort());

  // Pages cover the set exactly once.
  const seen = [];
  for (let offset = 0; offset < 56; offset += 20) {
    const p = assertList(await admin.get(`/api/v1/orgs?q=${encodeURIComponent(tag)}&limit=20&offset=${offset}`));
    assert.equal(p.total, 56);
    assert.equal(p.items.length, Math.min(20, 56 - offset));
    seen.push(...p.items.map((o) => o.id));
  }
  assert.equal(new Set(seen).size, 56, 'no duplicates across pages');
  assert.equal(assertList(await admin.get(`/api/v1/orgs?q=${encodeURIComponent(tag)}&offset=1000`)).items.length, 0);

  const byKind = assertList(await admin.get(`/api/v1/orgs?q=${encodeURIComponent(tag)}&kind=dns&limit=500`));
  assert.equal(byKind.total, 28);
  assert.ok(byKind.items.every((o) => o.kind === 'dns'));
  const byProv = assertList(await admin.get(`/api/v1/orgs?q=${encodeURIComponent(tag)}&province=44&limit=500`));
  assert.equal(byProv.total, made.filter((o) => o.province === '44').length);
  assert.ok(byProv.items.every((o) => o.province === '44'));
  const byParent = assertList(await admin.get(`/api/v1/orgs?parent_id=${group.id}&limit=500`));
  assert.equal(byParent.total, 27);
  assert.ok(byParent.items.every((o) => o.parent_id === group.id));
  const combo = assertList(await admin.get(`/api/v1/orgs?q=${encodeURIComponent(tag)}&kind=telecom_provincial&province=35&limit=500`));
  assert.equal(combo.total, made.filter((o) => o.kind === 'telecom_provincial' && o.province === '35').length);

  // q is data, not SQL or LIKE syntax.
  assert.equal(assertList(await admin.get(`/api/v1/orgs?q=${encodeURIComponent("' OR 1=1 --")}`)).total, 0);
  assert.equal(assertList(await admin.get(`/api/v1/orgs?q=%25`)).total, 0, 'q=% matches only a literal %');
  assert.equal(assertList(await admin.get(`/api/v1/orgs?q=${encodeURIComponent(tag.slice(0, -1) + '_')}`)).total, 0, 'q=_ matches only a literal _');
});

test('list: limit outside 1..500 and bad offsets → 400 validation_failed', async () => {
  for (const [qs, field] of [['limit=0', 'limit'], ['limit=501', 'limit'], ['limit=-5', 'limit'], ['limit=abc', 'limit'],
    ['offset=-1', 'offset'], ['offset=x', 'offset'], ['limit=10abc', 'limit']]) {
    assertError(await admin.get(`/api/v1/orgs?${qs}`), 400, 'validation_failed', field);
  }
  assert.equal((await admin.get('/api/v1/orgs?limit=500')).status, 200);
  assert.equal((await admin.get('/api/v1/orgs?limit=1')).json.items.length, 1);
});

test('org.create is audited with the new org', async () => {
  const org = await createOrg(admin, {});
  const a = await admin.get('/api/v1/audit?action=org.create&limit=500');
  const rec = a.json.items.find((x) => x.entity_id === org.id);
  assert.ok(rec, 'org.create audit record');
  assert.equal(rec.entity, 'org');
  assert.equal(rec.before, null);
  assert.equal(rec.after.name, org.name);
  assert.equal(rec.actor_name, 'admin');
  const all = await listAll(admin, '/api/v1/orgs');
  assert.ok(all.items.some((o) => o.id === org.id));
});
