import * as path from 'node:path';
import { expect } from 'chai';
import { chromium, Browser, Page } from 'playwright-core';
import { Worker } from '@temporalio/worker';
import { getStatus, startOperation } from '../client/operations';
import { packageRoot } from '../config/package-root';
import { createDbmoveWorker } from '../worker/create-worker';
import { followOperation } from '../client/follow';
import type { OperationResult, OperationStatus, Phase, RefreshInput } from '../workflows/types';
import { createTestEstate, TestEstate } from './support/estate';
import { eventually } from './support/poll';
import { findChromium, startUiServer, UiServer } from './support/ui-server';

/**
 * The administrator's path through the Temporal Web UI, in a real browser: find a refresh
 * by its target with a search-attribute query, read its phase, send the sign-off signal
 * from the workflow page, and see the operation complete. Its screenshots go to
 * .tmp/screenshots; with UPDATE_SCREENSHOTS=1 they replace the ones the README shows
 * (docs/screenshots), so an ordinary test run never changes tracked files.
 */
const SCREENSHOTS = path.join(packageRoot(), ...(process.env.UPDATE_SCREENSHOTS === '1' ? ['docs', 'screenshots'] : ['.tmp', 'screenshots']));

describe('Temporal Web UI (browser)', function () {
  this.timeout(180_000);
  let estate: TestEstate;
  let ui: UiServer;
  let browser: Browser;
  let worker: Worker;
  let running: Promise<void>;

  before(async () => {
    // Fails (never skips) without Chromium: CI installs it, so a missing browser is a broken set-up.
    const executablePath = findChromium();
    estate = createTestEstate(1000, 'web-ui');
    ui = await startUiServer(path.join(estate.home, 'ui-server'));
    worker = await createDbmoveWorker({
      connection: ui.workerConnection,
      namespace: 'default',
      taskQueue: 'dbmove-ui-test',
      catalogFile: estate.catalogFile,
      stateDir: estate.stateDir,
    });
    running = worker.run();
    browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  });

  after(async () => {
    await browser?.close();
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running?.catch(() => undefined);
    await ui?.stop();
  });

  function waitForPhase(operationId: string, phases: Phase[]): Promise<OperationStatus> {
    return followOperation(ui.client, ui.client.workflow.getHandle(operationId), { until: phases, intervalMs: 200, timeoutMs: 60_000 });
  }

  /** Waits until the page or one of its frames shows text matching `pattern`. */
  async function waitForText(page: Page, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
    let seen: string[] = [];
    await eventually(
      async () => {
        seen = await Promise.all(page.frames().map((frame) => frame.evaluate<string>('document.body ? document.body.innerText : ""').catch(() => '')));
        return seen.some((text) => pattern.test(text)) || undefined;
      },
      { timeoutMs, intervalMs: 250, what: `The Web UI showing ${pattern}`, lastSeen: () => seen.join(' | ').replace(/\s+/g, ' ').slice(0, 600) },
    );
  }

  async function shot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }

  it('finds a refresh by target, reads its phase, signs it off from the UI and sees it complete', async () => {
    const input: RefreshInput = { source: 'prod', target: 'uat', requestedBy: 'ops@contoso.test', tuning: { initialInterval: '100ms' } };
    const handle = await startOperation(ui.client, 'refresh', 'refresh', input, { taskQueue: 'dbmove-ui-test' }, 'refresh prod → uat');
    const operationId = handle.workflowId;
    await waitForPhase(operationId, ['AWAITING_SIGNOFF']);

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const base = `${ui.server.uiUrl}/namespaces/default`;

    // 1. The list as a new browser first sees it: dbmove's phase is a column, with nothing configured.
    await page.goto(`${base}/workflows`);
    const row = page.getByRole('link', { name: operationId });
    await row.waitFor({ timeout: 30_000 });
    const headers = await page.locator('thead th').allInnerTexts();
    expect(
      headers.map((h) => h.trim()),
      'the list columns',
    ).to.include.members(['DbmovePhase', 'DbmoveOperation', 'DbmoveSource', 'DbmoveTarget']);
    const cells = await page
      .locator('tr', { has: page.getByRole('link', { name: operationId }) })
      .locator('td')
      .allInnerTexts();
    expect(
      cells.map((c) => c.trim()),
      "the refresh's row",
    ).to.include.members(['Running', 'AWAITING_SIGNOFF', 'refresh', 'prod', 'uat']);
    await shot(page, 'web-ui-list');

    // The same list, filtered by a search-attribute query on the target.
    await page.goto(`${base}/workflows?query=${encodeURIComponent(`DbmoveTarget="uat" AND DbmoveOperation="refresh"`)}`);
    await row.waitFor({ timeout: 30_000 });
    expect(await page.getByText('1 Workflow', { exact: false }).count(), 'the query finds exactly this refresh').to.be.greaterThan(0);

    // 2. The detail page: the phase as a search attribute and in the current details.
    await row.click();
    await page.getByRole('heading', { name: operationId }).waitFor();
    await page.getByRole('tab', { name: 'Search Attributes' }).click();
    const phaseLine = page.locator('.cm-line', { hasText: 'DbmovePhase' });
    await phaseLine.waitFor();
    expect(await phaseLine.innerText()).to.match(/"DbmovePhase":\s*"AWAITING_SIGNOFF"/);
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    // Summary and current details are Markdown, which the UI renders in sandboxed frames.
    await waitForText(page, /refresh prod → uat/);
    await waitForText(page, /phase AWAITING_SIGNOFF/);
    // The static details stay true whatever happens next: no instruction that a later phase would make wrong.
    await waitForText(page, /Requested by ops@contoso\.test/);
    const texts = await Promise.all(page.frames().map((frame) => frame.evaluate<string>('document.body ? document.body.innerText : ""').catch(() => '')));
    expect(
      texts.find((t) => /Requested by ops@contoso/.test(t)),
      'static details',
    ).to.not.match(/sign off/i);
    // Every line of the current details is inside the panel, none cut off.
    await waitForText(page, /Steps: 9 of 9 done .*; unavailable [\d.]+ ms at SWAP/);
    // The UI sizes each Markdown frame once, when it loads; content taller than the frame is cut off.
    for (const frame of page.frames().filter((f) => f.url().includes('/render?'))) {
      const element = await frame.frameElement();
      const box = await element.boundingBox();
      const content = await frame.evaluate<number>('document.documentElement.scrollHeight');
      const text = await frame.evaluate<string>('document.body.innerText');
      expect(content, `"${text.slice(0, 50)}…": ${content} px of content in a frame of ${box?.height} px`).to.be.at.most(Math.ceil(box?.height ?? 0) + 1);
    }
    await shot(page, 'web-ui-details');

    // 3. Send a Signal from the UI: signOff with the documented payload.
    await page.getByRole('button', { name: 'More Actions' }).click();
    await page.getByRole('menuitem', { name: 'Send a Signal' }).click();
    // The UI renders the modal twice (one per layout); the visible one is the one a person uses.
    const modal = page.getByTestId('signal-confirmation-modal').filter({ visible: true });
    await modal.getByTestId('signal-select-button').click();
    await modal.getByRole('option', { name: /^signOff/ }).click();
    const editor = modal.locator('.cm-content');
    await editor.click();
    await page.keyboard.insertText('{"by": "ui-tester@contoso.test", "note": "signed off in the Web UI"}');
    await shot(page, 'web-ui-signal');
    await modal.getByTestId('confirm-modal-button').click();

    // 4. The operation completes; the UI shows it and the runbook records who decided, and how.
    const result = (await handle.result()) as OperationResult;
    expect(result.phase).to.equal('COMPLETED');
    await page.reload();
    await page.getByText('Completed', { exact: true }).first().waitFor({ timeout: 30_000 });
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    await waitForText(page, /phase COMPLETED/);
    await shot(page, 'web-ui-completed');

    const status = await getStatus(ui.client, handle);
    const signOff = status.decisions.find((d) => d.kind === 'sign-off' && d.accepted);
    expect(signOff, JSON.stringify(status.decisions)).to.include({ by: 'ui-tester@contoso.test', via: 'signal', note: 'signed off in the Web UI' });
    await page.close();
  });
});
