/// <reference lib="dom" />
// The callbacks given to page.evaluate and friends run in the browser, against its DOM.
import { expect } from 'chai';
import type { Browser, Page } from 'puppeteer-core';
import { BROWSERS, launchBrowser, type BrowserName } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/http-server.js';

const KEY = 'browser-test-key-0123456789';
const SCREENSHOT = 'docs/console.png';

/** The selector of a session's row in the table. */
const row = (id: string) => `tr[data-session-id="${id}"]`;

async function createSession(server: TestServer, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<string> {
  const response = await server.request('POST', '/api/v1/agent-sessions', { body, headers });
  expect(response.status, await response.clone().text()).to.equal(201);
  return ((await response.json()) as { session_id: string }).session_id;
}

/** Opens the console and waits until its table is live (the event stream is open). */
async function openConsole(page: Page, server: TestServer): Promise<void> {
  await page.goto(server.url('/console'));
  await page.waitForFunction(() => document.getElementById('connection')?.textContent?.startsWith('Live'));
}

// The same tests in each browser, so the page is known to work in both.
for (const name of Object.keys(BROWSERS) as BrowserName[]) {
  describe(`the console in headless ${name}`, function () {
    this.timeout(120_000);
    let browser: Browser;
    before(async () => (browser = await launchBrowser(name)));
    after(() => browser?.close());

    describe('without API keys', () => {
      let server: TestServer;
      let page: Page;
      const pageErrors: string[] = [];
      before(async () => {
        server = await startTestServer();
        page = await browser.newPage();
        await page.setViewport({ width: 1100, height: 760 });
        page.on('pageerror', (error) => pageErrors.push(String(error)));
        // Every failed request but the one expected: the browser's own favicon probe.
        page.on('response', (response) => {
          const path = new URL(response.url()).pathname;
          if (response.status() >= 400 && path !== '/favicon.ico') {
            pageErrors.push(`${response.status()} ${path}`);
          }
        });
        page.on('requestfailed', (request) => {
          if (!request.url().includes('/events')) pageErrors.push(`failed ${request.url()}`);
        });
        page.on('console', (message) => {
          if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) pageErrors.push(message.text());
        });
        await openConsole(page, server);
      });
      after(async () => {
        await page?.close();
        await server?.running.close(100);
      });

      it('shows sessions as they are created through the API, without a reload', async () => {
        const id = await createSession(server, { db_connection_id: 'warehouse', title: 'Monthly sales' });
        await page.waitForSelector(row(id));
        const cells = await page.$$eval(`${row(id)} td`, (tds) => tds.map((td) => td.textContent));
        expect(cells.slice(0, 5)).to.deep.equal([id, 'warehouse', 'active', 'full_autonomy', 'Monthly sales']);
      });

      it('changes a row when its session changes elsewhere', async () => {
        const id = await createSession(server, { db_connection_id: 'warehouse' });
        await page.waitForSelector(row(id));
        await server.request('PATCH', `/api/v1/agent-sessions/${id}`, { body: { status: 'running' } });
        await page.waitForSelector(`${row(id)} td[data-status="running"]`);
      });

      it('pauses a session with the button, and the API agrees', async () => {
        const id = await createSession(server, { db_connection_id: 'warehouse', title: 'To pause', metadata: { step: 3 } });
        await page.waitForSelector(row(id));
        await page.click(`#open-${id}`);
        await page.waitForFunction((sid) => document.getElementById('detail-title')?.textContent === `Session ${sid}`, {}, id);
        const metadata = await page.$eval('#detail-metadata', (pre) => pre.textContent);
        expect(metadata).to.equal(JSON.stringify({ step: 3 }, null, 2));
        await page.click('#pause');
        await page.waitForFunction((sid) => document.getElementById('message')?.textContent === `Paused session ${sid}.`, {}, id);
        const response = await server.request('GET', `/api/v1/agent-sessions/${id}`);
        expect((await response.json()).status).to.equal('paused');
        await page.waitForSelector(`${row(id)} td[data-status="paused"]`);
      });

      it('says clearly when a session changed since it was shown (412), and shows it as it is now', async () => {
        // A second page whose live updates are cut, so the change below reaches it only through the 412.
        const stale = await browser.newPage();
        await stale.setRequestInterception(true);
        stale.on('request', (request) => (request.url().includes('/events') ? request.abort() : request.continue()));
        try {
          const id = await createSession(server, { db_connection_id: 'stale', title: 'Before' });
          await stale.goto(server.url('/console'));
          await stale.waitForSelector(`#open-${id}`);
          await stale.click(`#open-${id}`);
          await stale.waitForFunction(() => !document.getElementById('detail')?.hidden);
          await server.request('PATCH', `/api/v1/agent-sessions/${id}`, { body: { title: 'Changed elsewhere' } });
          await stale.click('#pause');
          await stale.waitForFunction(() => document.getElementById('message')?.textContent?.includes('412'));
          expect(await stale.$eval('#message', (box) => box.textContent)).to.contain('changed since it was shown');
          await stale.waitForFunction(() => document.getElementById('detail-fields')?.textContent?.includes('Changed elsewhere'));
          const response = await server.request('GET', `/api/v1/agent-sessions/${id}`);
          expect((await response.json()).status, 'the stale pause was not applied').to.equal('active');
        } finally {
          await stale.close();
        }
      });

      it('is usable from the keyboard: Enter opens a session, Escape closes it and returns focus', async () => {
        const id = await createSession(server, { db_connection_id: 'keyboard' });
        await page.waitForSelector(row(id));
        await page.focus(`#open-${id}`);
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => document.activeElement?.id === 'detail-title');
        await page.keyboard.press('Escape');
        await page.waitForFunction((sid) => document.activeElement?.id === `open-${sid}`, {}, id);
        expect(await page.$eval('#detail', (section) => (section as HTMLElement).hidden)).to.equal(true);
      });

      it('labels every form control and writes each status as text', async () => {
        const unlabelled = await page.$$eval('input, select', (controls) =>
          controls.filter((control) => !document.querySelector(`label[for="${control.id}"]`)).map((control) => control.id),
        );
        expect(unlabelled).to.deep.equal([]);
        const statuses = await page.$$eval('td[data-status]', (cells) => cells.map((cell) => [cell.dataset.status, cell.textContent]));
        for (const [status, text] of statuses) expect(text).to.equal(status);
      });

      it('filters by db connection and status, and pages through the result', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 12; i++) ids.push(await createSession(server, { db_connection_id: 'paged', title: `Paged ${i}` }));
        await server.request('POST', `/api/v1/agent-sessions/${ids[0]}/pause`);
        await page.type('#filter-db', 'paged');
        await page.select('#filter-limit', '10');
        await page.click('#filters button[type="submit"]');
        await page.waitForFunction(() => document.getElementById('summary')?.textContent === 'Sessions 1–10 of 12');
        await page.click('#next');
        await page.waitForFunction(() => document.getElementById('summary')?.textContent === 'Sessions 11–12 of 12');
        // Newest first: the second page holds the two oldest.
        expect(await page.$$eval('#rows tr', (rows) => rows.map((tr) => tr.dataset.sessionId))).to.deep.equal([ids[1], ids[0]]);
        await page.select('#filter-status', 'paused');
        await page.click('#filters button[type="submit"]');
        await page.waitForFunction(() => document.getElementById('summary')?.textContent === 'Sessions 1–1 of 1');
        await page.select('#filter-status', '');
        await page.select('#filter-limit', '25');
        await page.$eval('#filter-db', (input) => ((input as HTMLInputElement).value = ''));
        await page.click('#filters button[type="submit"]');
        await page.waitForFunction(() => document.getElementById('connection')?.textContent?.startsWith('Live'));
      });

      it('pauses every session of a db connection with the emergency stop', async () => {
        await page.type('#filter-db', 'warehouse');
        await page.click('#stop-all');
        await page.waitForFunction(() => document.getElementById('message')?.textContent?.includes('Paused the sessions of DB connection warehouse'));
        await page.$eval('#filter-db', (input) => ((input as HTMLInputElement).value = ''));
      });

      it('loads only its own assets and reports no script errors or failed requests', async () => {
        const origins = await page.evaluate(() => performance.getEntriesByType('resource').map((entry) => new URL(entry.name).origin));
        expect([...new Set(origins)]).to.deep.equal([new URL(server.url('/')).origin]);
        expect(pageErrors).to.deep.equal([]);
      });
    });

    // One screenshot is enough; Chromium's is the README's.
    if (name === 'chromium') describe('for the README', () => {
      it('writes a screenshot of a few sessions and one opened', async () => {
        const server = await startTestServer();
        const page = await browser.newPage();
        try {
          await page.setViewport({ width: 1100, height: 760 });
          await createSession(server, { db_connection_id: 'warehouse', title: 'Monthly sales analysis', mode: 'analysis' });
          const running = await createSession(server, { db_connection_id: 'warehouse', title: 'Inventory forecast' });
          await server.request('PATCH', `/api/v1/agent-sessions/${running}`, { body: { status: 'running' } });
          const paused = await createSession(server, { db_connection_id: 'warehouse', title: 'Supplier audit', mode: 'query' });
          await server.request('POST', `/api/v1/agent-sessions/${paused}/pause`);
          const done = await createSession(server, { db_connection_id: 'crm', title: 'Churn model', mode: 'script' });
          await server.request('PATCH', `/api/v1/agent-sessions/${done}`, { body: { status: 'completed' } });
          const failed = await createSession(server, { db_connection_id: 'crm', title: 'Broken query', metadata: { department: 'finance' } });
          await server.request('PATCH', `/api/v1/agent-sessions/${failed}`, {
            body: { status: 'failed', metadata: { department: 'finance', last_error: 'statement timeout after 30 s' } },
          });
          await openConsole(page, server);
          await page.waitForSelector(`${row(failed)} td[data-status="failed"]`);
          await page.click(`#open-${failed}`);
          await page.waitForFunction(() => !document.getElementById('detail')?.hidden);
          await page.screenshot({ path: SCREENSHOT, fullPage: true });
        } finally {
          await page.close();
          await server.running.close(100);
        }
      });
    });

    describe('with API keys', () => {
      let server: TestServer;
      let page: Page;
      before(async () => {
        server = await startTestServer({ apiKeys: [KEY] });
        page = await (await browser.createBrowserContext()).newPage();
      });
      after(async () => {
        await page?.browserContext().close();
        await server?.running.close(100);
      });

      it('asks for a key, refuses a wrong one, and logs in with the right one', async () => {
        const id = await createSession(server, { db_connection_id: 'secured' }, { 'x-api-key': KEY });
        await page.goto(server.url('/console'));
        await page.waitForSelector('#login:not([hidden])');
        await page.type('#login-key', 'a-wrong-key-of-enough-length');
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => document.getElementById('message')?.textContent?.includes('refused'));
        await page.$eval('#login-key', (input) => ((input as HTMLInputElement).value = ''));
        await page.type('#login-key', KEY);
        await page.click('#login-form button[type="submit"]');
        await page.waitForSelector(row(id));
        const cookies = await page.browserContext().cookies();
        const cookie = cookies.find((c) => c.name === 'agent_sessions_console');
        expect(cookie, JSON.stringify(cookies)).to.include({ httpOnly: true, sameSite: 'Strict' });
        expect(await page.evaluate(() => document.cookie), 'the page cannot read the cookie').to.equal('');
      });

      it('follows changes and pauses a session through the cookie', async () => {
        await page.waitForFunction(() => document.getElementById('connection')?.textContent?.startsWith('Live'));
        const id = await createSession(server, { db_connection_id: 'secured', title: 'Live' }, { 'x-api-key': KEY });
        await page.waitForSelector(row(id));
        await page.click(`#open-${id}`);
        await page.waitForFunction(() => !document.getElementById('detail')?.hidden);
        await page.click('#pause');
        await page.waitForSelector(`${row(id)} td[data-status="paused"]`);
        const response = await server.request('GET', `/api/v1/agent-sessions/${id}`, { headers: { 'x-api-key': KEY } });
        expect((await response.json()).status).to.equal('paused');
      });

      it('logs out: the login form returns and the cookie no longer opens the API', async () => {
        await page.click('#logout');
        await page.waitForSelector('#login:not([hidden])');
        const status = await page.evaluate(async () => (await fetch('/api/v1/agent-sessions')).status);
        expect(status).to.equal(401);
      });
    });
  });
}
