import { expect } from 'chai';
import * as fs from 'node:fs';
import { decide } from '../client/operations';
import type { AppServerProcess } from '../demo/app-servers';
import { readIdentityRecord } from '../engines/local/identity-records';
import { appStatus, signIn, startTestAppServers } from './support/app-servers';
import { createTestEstate, fileSha256, query, TestEstate } from './support/estate';
import { startRefresh, waitForPhase } from './support/operations';
import { createTestWorker } from './support/worker';

/**
 * The application around SWAP, against real processes: each sandbox's demo application
 * server (`dbmove app-server`, what `npm start` runs) keeps its database open and caches its
 * users, like an AOS. SWAP must drain and stop it, swap, start it and wait until it is
 * healthy, then sign Admin in through it; a failure there enters the failure gate, and
 * rollback restores the marker with the application stopped and started around it.
 */
const inode = (file: string) => String(fs.statSync(file, { bigint: true }).ino);

describe('the application around SWAP (real demo application servers)', function () {
  this.timeout(180_000);
  let estate: TestEstate;
  let apps: AppServerProcess[] = [];
  const uatPort = () => apps.find((a) => a.environment === 'uat')!.port;

  beforeEach(async () => {
    estate = createTestEstate(2000, 'appswap', { application: true });
    apps = await startTestAppServers(estate, { environments: ['uat'] });
  });
  afterEach(async () => {
    for (const app of apps) await app.stop();
  });

  it('stops the application, swaps, starts it, waits for health and signs Admin in through it; reports the file swap and the window users saw', async () => {
    const uat = estate.database('uat');
    const before = await appStatus(uatPort());
    expect(before.services.web).to.deep.equal({ state: 'running', inode: inode(uat) });
    const worker = await createTestWorker(estate);
    const status = await worker.run(async () => {
      const handle = await startRefresh(worker);
      const awaiting = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED', 'REFUSED']);
      expect(awaiting.phase, JSON.stringify(awaiting.logs.slice(-6))).to.equal('AWAITING_SIGNOFF');
      return awaiting;
    });
    const swap = status.steps.find((s) => s.name === 'SWAP')!;
    expect(swap.summary).to.match(
      /uat replaced; file swap \d+\.\d\d ms; application unavailable \d+\.\d\d s \(stop to healthy\); Admin signed in through the application/,
    );
    // Both figures: the switch itself, and the window as the application's users saw it, which contains it.
    expect(status.unavailableWindowMs).to.be.a('number').and.lessThan(1000);
    expect(status.applicationUnavailableMs).to.be.a('number').and.greaterThan(status.unavailableWindowMs!);
    const logs = status.logs.map((l) => l.message).join('\n');
    for (const line of [
      /Stopped AOS web service/,
      /Stopped Batch service/,
      /Started AOS web service/,
      /Started Batch service/,
      /All 2 services of uat answer their health checks/,
    ])
      expect(logs).to.match(line);
    expect(logs).to.match(/uat-admin@contoso\.test signed in as Admin through uat's application/);
    // The application now has the new database open (a new file: the swap renamed staging over it), and its cache is of the new data.
    const after = await appStatus(uatPort());
    expect(after.fileInode).to.equal(inode(uat)).and.not.equal(before.fileInode);
    expect(after.services.web.inode).to.equal(inode(uat));
    expect(after.services.batch.inode).to.equal(inode(uat));
    // Admin signs in with uat's administrator; production's administrator does not, and a disabled user is refused.
    expect(await signIn(uatPort(), 'uat-admin@contoso.test')).to.deep.include({ status: 200 });
    expect((await signIn(uatPort(), 'uat-admin@contoso.test')).body.userId).to.equal('Admin');
    expect((await signIn(uatPort(), 'admin@contoso.com')).status).to.equal(403);
    expect((await signIn(uatPort(), 'carol@contoso.com')).body.error).to.match(/carol is disabled/);
    expect(apps[0].output()).to.match(/web service stopped[\s\S]*web service started/);
  });

  it('without the application in the catalog the same swap leaves the running server on the replaced database (why SWAP stops and starts it)', async () => {
    const uat = estate.database('uat');
    const before = await appStatus(uatPort());
    estate.editCatalog((c) => delete c.environments.find((e: any) => e.name === 'uat').application);
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      const handle = await startRefresh(worker);
      expect((await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED'])).phase).to.equal('AWAITING_SIGNOFF');
    });
    const after = await appStatus(uatPort());
    // The file at uat's path is the new one, but the server still reads the one it opened: stale.
    expect(inode(uat)).to.not.equal(before.services.web.inode);
    expect(after.services.web.inode).to.equal(before.services.web.inode);
  });

  it('a sign-in that fails after the swap enters the failure gate; rollback stops the application, restores the marker, starts it and Admin signs in again', async () => {
    const uat = estate.database('uat');
    const original = fileSha256(uat);
    const [{ sid: uatAdminSid }] = query<{ sid: string }>(uat, "SELECT SID AS sid FROM USERINFO WHERE ID = 'Admin'");
    // A SID pinned in the catalog that is not the one F&O derives for the sign-in: VERIFY checks what POSTCONFIG wrote, only the sign-in can tell.
    estate.editCatalog((c) => (c.environments.find((e: any) => e.name === 'uat').administrator.sid = `S-1-19-${'1-'.repeat(9)}1`));
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      const handle = await startRefresh(worker);
      const failed = await waitForPhase(handle, ['FAILED', 'AWAITING_SIGNOFF']);
      expect(failed.phase).to.equal('FAILED');
      expect(failed.failure?.step).to.equal('SWAP');
      expect(failed.failure?.type).to.equal('ApplicationUnavailable');
      expect(failed.failure?.message).to.match(
        /uat now holds the new data, but uat-admin@contoso\.test could not sign in as Admin through uat's application \(.*HTTP 403/,
      );
      expect(failed.failure?.choices.rollback).to.match(/Return uat to its restore point of .* \(if the swap happened\)/);
      // The data went live: uat's identity record names this operation.
      expect(readIdentityRecord(uat)?.operationId).to.equal(handle.workflowId);
      await decide(handle, 'rollback', { by: 'tester' });
      const rolled = await waitForPhase(handle, ['ROLLED_BACK', 'ROLLBACK_FAILED']);
      expect(rolled.phase, JSON.stringify(rolled.logs.slice(-6))).to.equal('ROLLED_BACK');
      expect(rolled.rolledBack?.restoredTo).to.equal(rolled.marker?.at);
      expect(rolled.rolledBack?.applicationUnavailableMs).to.be.a('number').and.greaterThan(0);
      const logs = rolled.logs.map((l) => l.message).join('\n');
      expect(logs).to.match(/uat-admin@contoso\.test signed in as Admin through uat's application/);
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
    // uat is byte for byte what it was, with the identity it had, and the application reads it.
    expect(fileSha256(uat)).to.equal(original);
    expect(readIdentityRecord(uat)).to.include({ environment: 'uat', type: 'sandbox' });
    expect(readIdentityRecord(uat)?.operationId).to.equal(undefined);
    expect((await appStatus(uatPort())).services.web.inode).to.equal(inode(uat));
    expect(query(uat, "SELECT SID AS sid FROM USERINFO WHERE ID = 'Admin'")).to.deep.equal([{ sid: uatAdminSid }]);
  });

  it('a service that cannot be stopped fails SWAP before the swap: what was stopped is started again and uat is untouched; rollback leaves the application running', async () => {
    const uat = estate.database('uat');
    const original = fileSha256(uat);
    estate.editCatalog((c) => {
      const batch = c.environments.find((e: any) => e.name === 'uat').application.services[1];
      batch.stop.url = batch.stop.url.replace('/stop', '/halt');
    });
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      const handle = await startRefresh(worker);
      const failed = await waitForPhase(handle, ['FAILED', 'AWAITING_SIGNOFF']);
      expect(failed.phase).to.equal('FAILED');
      expect(failed.failure?.step).to.equal('SWAP');
      expect(failed.failure?.message).to.match(
        /The swap of uat did not happen: stopping Batch service on uat failed \(POST http:\/\/127\.0\.0\.1:\d+\/services\/batch\/halt answered HTTP 404/,
      );
      expect(failed.failure?.message).to.match(/Started again: AOS web service/);
      expect(fileSha256(uat)).to.equal(original);
      expect((await appStatus(uatPort())).services.web.state).to.equal('running');
      await decide(handle, 'rollback', { by: 'tester' });
      const rolled = await waitForPhase(handle, ['ROLLED_BACK', 'ROLLBACK_FAILED']);
      expect(rolled.phase).to.equal('ROLLED_BACK');
      expect(rolled.rolledBack?.restoredTo).to.equal(undefined);
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
    expect(fileSha256(uat)).to.equal(original);
    const status = await appStatus(uatPort());
    expect([status.services.web.state, status.services.batch.state]).to.deep.equal(['running', 'running']);
  });

  it('PRECHECK warns when the application is down (SWAP starts it), and refuses when a token its actions need is not set, touching nothing', async () => {
    // A service stopped by hand before the refresh: a warning, and SWAP brings it back.
    await fetch(`http://127.0.0.1:${uatPort()}/services/batch/stop`, { method: 'POST' });
    const worker = await createTestWorker(estate);
    await worker.run(async () => {
      const handle = await startRefresh(worker);
      const awaiting = await waitForPhase(handle, ['AWAITING_SIGNOFF', 'FAILED', 'REFUSED']);
      expect(awaiting.phase).to.equal('AWAITING_SIGNOFF');
      const health = awaiting.checks.find((c) => c.name === 'application-health')!;
      expect(health).to.include({ ok: false, severity: 'warning' });
      expect(health.message).to.match(/uat's application does not answer its health checks now: Batch service \(GET .* answered HTTP 503/);
      await decide(handle, 'sign-off', { by: 'tester' });
      await handle.result();
    });
    expect((await appStatus(uatPort())).services.batch.state).to.equal('running');
    // The application's actions need a token the worker does not have: refused before anything is touched.
    estate.editCatalog((c) => (c.environments.find((e: any) => e.name === 'uat').application.services[0].stop.tokenEnv = 'UAT_APP_TOKEN'));
    const before = fileSha256(estate.database('uat'));
    const second = await createTestWorker(estate);
    await second.run(async () => {
      const handle = await startRefresh(second);
      const refused = await waitForPhase(handle, ['REFUSED', 'AWAITING_SIGNOFF', 'FAILED']);
      expect(refused.phase).to.equal('REFUSED');
      const secret = refused.checks.find((c) => c.name === 'application-secret')!;
      expect(secret.message).to.match(/SWAP stops and starts uat's application with the token in UAT_APP_TOKEN, which is not set/);
      expect(secret.fix).to.match(/set UAT_APP_TOKEN where the worker runs/);
    });
    expect(fileSha256(estate.database('uat'))).to.equal(before);
  });
});
