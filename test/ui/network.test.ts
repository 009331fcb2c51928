import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../runner/codeServer';
import { makeCertificates, nonLoopbackAddress, type TestCertificates } from '../support/certs';
import { FakeGenos } from '../support/genosServer';
import { startTinyproxy, type Tinyproxy } from '../support/tinyproxy';
import { openWorkbench, setTokenFromPalette, withFailureScreenshot, type Workbench } from './workbench';

const warningText = '"genos.tls.allowSelfSigned" is on';

/** The GenOS output log of this workbench's session, once it contains `expected`. */
async function genosLog(workbench: Workbench, expected: string): Promise<string> {
  const find = (dir: string): string[] =>
    fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? find(full) : /GenOS\.log$/.test(entry.name) ? [full] : [];
    });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const text = find(workbench.server.userDataDir)
      .map((file) => fs.readFileSync(file, 'utf8'))
      .join('\n');
    if (text.includes(expected)) return text;
    if (Date.now() > deadline) throw new Error(`the GenOS log never contained "${expected}":\n${text}`);
    await workbench.page.waitForTimeout(500);
  }
}

/** The text of the notification center once it lists `expected`, as a user reads it there. */
async function notifications(workbench: Workbench, expected: string): Promise<string> {
  const center = workbench.page.locator('.notifications-center');
  const deadline = Date.now() + 30_000;
  for (;;) {
    await workbench.runCommand('Notifications: Show Notifications');
    await center.waitFor();
    const text = await center.innerText();
    await workbench.page.keyboard.press('Escape');
    if (text.includes(expected)) return text;
    if (Date.now() > deadline) throw new Error(`the notifications never listed "${expected}":\n${text}`);
    await workbench.page.waitForTimeout(500);
  }
}

describe('a user on a company network tests the connection', () => {
  let certs: TestCertificates;
  let selfSigned: FakeGenos;
  let behindProxy: FakeGenos;
  let tiny: Tinyproxy;
  let workbench: Workbench | undefined;

  before(async () => {
    const lan = nonLoopbackAddress();
    certs = makeCertificates(['127.0.0.1', 'localhost', lan]);
    selfSigned = new FakeGenos({
      token: 'ui-network-token',
      tls: { key: certs.selfSigned.key, cert: certs.selfSigned.cert },
    });
    behindProxy = new FakeGenos({ token: 'ui-network-token', host: lan, tls: certs.server, models: ['Qwen3-8B'] });
    await Promise.all([selfSigned.start(), behindProxy.start()]);
    tiny = await startTinyproxy();
  });
  after(async () => {
    await workbench?.close();
    await Promise.all([selfSigned.close(), behindProxy.close(), tiny.stop()]);
    fs.rmSync(certs.dir, { recursive: true, force: true });
  });

  it('is warned once per session that self-signed certificates are accepted', async () => {
    workbench = await openWorkbench({
      install: [path.join(repoRoot, 'genos-vscode.vsix')],
      machineSettings: {
        'genos.baseUrl': selfSigned.baseUrl,
        'genos.servingId': selfSigned.servingId,
        'genos.tls.allowSelfSigned': true,
      },
      // These tests count requests and tunnels; VS Code 1.139's chat would list the models too.
      userSettings: { 'genos.nativeChat.enabled': false },
    });
    const { page } = workbench;
    const current = workbench;
    await withFailureScreenshot(current, 'network-self-signed', async () => {
      await setTokenFromPalette(current, 'ui-network-token');
      await current.runCommand('GenOS: Test Connection');
      await page.locator('.notification-toast', { hasText: warningText }).waitFor();
      await current.screenshot('network-self-signed');
      // The result may arrive while the warning is on screen; the notification center lists both.
      const first = await notifications(current, 'WITHOUT verification');
      assert.equal(first.split(warningText).length - 1, 1);
      await current.runCommand('Notifications: Clear All Notifications');

      await current.runCommand('GenOS: Test Connection');
      const second = await notifications(current, 'WITHOUT verification');
      // The warning comes before the request, so had it been shown again it would be listed now.
      assert.ok(!second.includes(warningText), `warned a second time:\n${second}`);

      // The output log records it once, and never the token.
      const log = await genosLog(current, 'test connection');
      assert.equal(log.split('genos.tls.allowSelfSigned is on').length - 1, 1, log);
      assert.ok(!log.includes('ui-network-token'), 'the token is in the log');
    });
    assert.equal(selfSigned.requests.length, 2);
  });

  it('sees the proxy, the TLS version and the certificate issuer in the result', async () => {
    await workbench?.close();
    workbench = await openWorkbench({
      install: [path.join(repoRoot, 'genos-vscode.vsix')],
      machineSettings: {
        'genos.baseUrl': behindProxy.baseUrl,
        'genos.servingId': behindProxy.servingId,
        'genos.tls.caFile': certs.caCertFile,
      },
      userSettings: { 'http.proxy': tiny.url, 'genos.nativeChat.enabled': false },
    });
    const current = workbench;
    await withFailureScreenshot(current, 'network-proxy', async () => {
      await setTokenFromPalette(current, 'ui-network-token');
      await current.runCommand('GenOS: Test Connection');
      const text = await notifications(current, 'through the proxy');
      assert.match(text, new RegExp(`through the proxy ${tiny.url.replace(/\./g, '\\.')} \\(from http\\.proxy\\)`));
      assert.match(text, /TLSv1\.[23], certificate issued by GenOS Test Root CA/);
      assert.match(text, /Models: Qwen3-8B/);
      await current.screenshot('network-proxy');
      // The log says which way requests go, for whoever reads it to support the user.
      const log = await genosLog(current, 'test connection');
      assert.ok(
        log.includes(
          `route to ${new URL(behindProxy.baseUrl).origin}: through the proxy ${tiny.url} (from http.proxy)`,
        ),
        log,
      );
      assert.ok(!log.includes('ui-network-token'), 'the token is in the log');
    });
    assert.equal(tiny.relayed().filter((line) => line.includes('CONNECT')).length, 1);
  });
});
