// kill -9 in the middle of concurrent writes loses nothing that was acknowledged: every org that
// got a 201 is there after a restart on the same data, with its audit record, and the audit
// hash chain verifies (API and `fanghu audit verify`).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Server, uniq, uscc, sleep, listAll, ADMIN_NEW_PASSWORD } from './lib.mjs';

const servers = [];
let dataDir;
after(async () => {
  for (const s of servers) await s.stop({ check: false }).catch(() => {});
  if (dataDir && process.env.FANGHU_TEST_KEEP !== '1') rmSync(dataDir, { recursive: true, force: true });
});

async function hammer(srv, admin, { workers = 8, minOk = 40, maxMs = 10000 }) {
  const acked = [];
  const unknown = [];
  let stop = false;
  const started = Date.now();
  const worker = async (w) => {
    while (!stop) {
      const body = { name: uniq(`崩溃${w}-`), kind: 'vas', uscc: uscc(), province: '35' };
      try {
        const r = await admin.post('/api/v1/orgs', body);
        if (r.status === 201) acked.push({ ...body, id: r.json.id });
        else if (r.status >= 500 || r.status === 0) unknown.push(body);
        else throw new Error(`unexpected ${r}`);
      } catch (e) {
        if (/unexpected/.test(e.message)) throw e;
        unknown.push(body); // connection died with the server: outcome unknown, either is fine
        return;
      }
    }
  };
  const running = Array.from({ length: workers }, (_, i) => worker(i));
  // Kill in the middle of the stream: after enough acknowledged writes, at a random moment.
  while (acked.length < minOk && Date.now() - started < maxMs) await sleep(10);
  await sleep(Math.floor(Math.random() * 50));
  await srv.kill9();
  stop = true;
  await Promise.allSettled(running);
  return { acked: [...acked], unknown };
}

test('kill -9 during concurrent org creation loses no acknowledged write; audit chain verifies', async (t) => {
  let srv = new Server();
  dataDir = srv.dataDir;
  srv.ownDir = false;
  servers.push(srv);
  await srv.start();
  let admin = await srv.admin();
  const allAcked = [];

  for (let round = 1; round <= 3; round++) {
    const { acked, unknown } = await hammer(srv, admin, {});
    assert.ok(acked.length > 0, `round ${round}: some writes were acknowledged before the kill`);
    t.diagnostic(`round ${round}: ${acked.length} acknowledged, ${unknown.length} in flight at the kill`);
    allAcked.push(...acked);
    srv.checkLog();

    // The CLI verifies the chain straight after the crash, on the data as the crash left it.
    const cli = srv.cli(['audit', 'verify', ...srv.cliArgs()]);
    assert.equal(cli.status, 0, `round ${round}: fanghu audit verify after kill -9: ${cli.stdout}${cli.stderr}`);

    const next = new Server({ dataDir, dbUrl: srv.dbUrl });
    next.ownDir = false;
    next._adminReady = true;
    servers.push(next);
    await next.start();
    srv = next;
    admin = srv.client();
    const l = await admin.login('admin', ADMIN_NEW_PASSWORD);
    assert.equal(l.status, 200, `round ${round}: admin keeps its changed password across the crash: ${l}`);

    const present = new Map((await listAll(admin, '/api/v1/orgs')).items.map((o) => [o.id, o]));
    for (const a of allAcked) {
      const o = present.get(a.id);
      assert.ok(o, `round ${round}: acknowledged org ${a.id} (${a.name}) lost`);
      assert.equal(o.name, a.name);
      assert.equal(o.uscc, a.uscc);
    }
    // Writes whose answer never arrived are all-or-nothing: present with their audit record, or absent.
    const creates = new Map((await listAll(admin, '/api/v1/audit?action=org.create')).items.map((x) => [x.entity_id, x]));
    for (const a of allAcked) assert.ok(creates.has(a.id), `round ${round}: audit record of acknowledged org ${a.id} lost`);
    for (const o of present.values()) {
      if (unknown.some((u) => u.uscc === o.uscc)) assert.ok(creates.has(o.id), `round ${round}: org ${o.id} committed without its audit record`);
    }
    const v = await admin.get('/api/v1/audit/verify');
    assert.equal(v.status, 200);
    assert.equal(v.json.ok, true, `round ${round}: audit chain after restart: ${v}`);
    assert.equal(v.json.first_bad_seq, null);
    // The restarted server takes new writes and the chain continues.
    const r = await admin.post('/api/v1/orgs', { name: uniq('重启后'), kind: 'vas', uscc: uscc(), province: '35' });
    assert.equal(r.status, 201, `round ${round}: write after restart: ${r}`);
    allAcked.push({ id: r.json.id, name: r.json.name, uscc: r.json.uscc });
  }

  const ex = await srv.stop();
  assert.equal(ex.code, 0, `clean exit on SIGTERM: ${JSON.stringify(ex)}`);
  const cli = srv.cli(['audit', 'verify', ...srv.cliArgs()]);
  assert.equal(cli.status, 0, `fanghu audit verify at the end: ${cli.stdout}${cli.stderr}`);
});
