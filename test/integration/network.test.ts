import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { makeCertificates, nonLoopbackAddress, type TestCertificates } from '../support/certs';
import type { RequestOutcome } from '../../src/host/requests/requestPath';
import { FakeGenos, splitDeltas } from '../support/genosServer';
import { startTinyproxy, type Tinyproxy } from '../support/tinyproxy';
import { confirmToken, genosConfig, testConnection, useServer, waitFor } from './helpers';

const Global = vscode.ConfigurationTarget.Global;

/** Runs `flow` with `settings` in the user's settings, then removes them. */
async function withUserSettings(settings: Record<string, unknown>, flow: () => Promise<void>): Promise<void> {
  const all = vscode.workspace.getConfiguration();
  for (const [key, value] of Object.entries(settings)) await all.update(key, value, Global);
  try {
    await flow();
  } finally {
    for (const key of Object.keys(settings)) await all.update(key, undefined, Global);
  }
}

describe('company networks: private CAs, self-signed servers and proxies', () => {
  const lan = nonLoopbackAddress();
  let certs: TestCertificates;
  let privateCa: FakeGenos;
  let selfSigned: FakeGenos;
  let behindProxy: FakeGenos;
  let tiny: Tinyproxy;
  const token = 'company-network-token';

  before(async () => {
    certs = makeCertificates(['127.0.0.1', 'localhost', lan]);
    privateCa = new FakeGenos({ token, tls: certs.server, models: ['Qwen3-8B'] });
    selfSigned = new FakeGenos({
      token,
      tls: { key: certs.selfSigned.key, cert: certs.selfSigned.cert },
      servingId: '44',
    });
    behindProxy = new FakeGenos({ token, host: lan, tls: certs.server, servingId: '45' });
    await Promise.all([privateCa.start(), selfSigned.start(), behindProxy.start()]);
    tiny = await startTinyproxy();
    // These tests count the proxy's tunnels; VS Code's chat (1.139) would list the models again
    // through the same path after each settings change. Off, it lists nothing and sends nothing.
    await genosConfig().update('nativeChat.enabled', false, Global);
  });
  after(async () => {
    await genosConfig().update('nativeChat.enabled', undefined, Global);
    await Promise.all([privateCa.close(), selfSigned.close(), behindProxy.close(), tiny.stop()]);
    await genosConfig().update('baseUrl', undefined, Global);
    await genosConfig().update('servingId', undefined, Global);
    fs.rmSync(certs.dir, { recursive: true, force: true });
  });

  it('refuses a private-CA server with a message naming the certificate and genos.tls.caFile, then connects with it', async () => {
    await useServer(privateCa);
    await confirmToken(token);
    const refused = await testConnection();
    assert.equal(refused.ok, false);
    assert.equal(refused.errorKind, 'network');
    assert.match(refused.message, /genos\.tls\.caFile/);
    assert.match(refused.message, /GenOS Test Root CA/);
    assert.equal(privateCa.requests.length, 0, 'the token never reached a server that failed the check');

    await withUserSettings({ 'genos.tls.caFile': certs.caCertFile }, async () => {
      const result = await testConnection();
      assert.equal(result.ok, true, result.message);
      assert.deepEqual(result.models, ['Qwen3-8B']);
      assert.equal(result.trace?.path, 'direct');
      assert.equal(result.trace?.certificate?.issuer, 'GenOS Test Root CA (GenOS Test)');
      assert.match(result.message, /TLSv1\.[23]|인증서 발급자/);
      assert.match(result.steps ?? '', /\d+ ms/);
      assert.equal(privateCa.requests.at(-1)?.headers.authorization, `Bearer ${token}`);
    });
  });

  it('says when genos.tls.caFile cannot be read or holds no certificate', async () => {
    await useServer(privateCa);
    await withUserSettings({ 'genos.tls.caFile': path.join(certs.dir, 'missing.pem') }, async () => {
      const result = await testConnection();
      assert.equal(result.errorKind, 'config');
      assert.match(result.message, /genos\.tls\.caFile/);
    });
    const notPem = path.join(certs.dir, 'server.csr.txt');
    fs.writeFileSync(notPem, 'this is not a certificate');
    await withUserSettings({ 'genos.tls.caFile': notPem }, async () => {
      const result = await testConnection();
      assert.equal(result.errorKind, 'config');
      assert.match(result.message, /PEM/);
    });
  });

  it('accepts a self-signed server only with genos.tls.allowSelfSigned, and says it was not verified', async () => {
    await useServer(selfSigned);
    await confirmToken(token);
    const refused = await testConnection();
    assert.equal(refused.ok, false);
    assert.match(refused.message, /genos\.tls\.allowSelfSigned/);
    await withUserSettings({ 'genos.tls.allowSelfSigned': true }, async () => {
      const result = await testConnection();
      assert.equal(result.ok, true, result.message);
      assert.equal(result.trace?.verified, false);
      assert.match(result.message, /WITHOUT verification|검증 없이/);
    });
  });

  it('goes through the proxy in genos.proxy or http.proxy, as the proxy log shows, and around it for http.noProxy', async () => {
    await useServer(behindProxy);
    await confirmToken(token);
    const tunnels = () => tiny.relayed().filter((line) => line.includes(`CONNECT ${lan}:${behindProxy.port}`)).length;
    await withUserSettings({ 'genos.tls.caFile': certs.caCertFile, 'genos.proxy': tiny.url }, async () => {
      const result = await testConnection();
      assert.equal(result.ok, true, result.message);
      assert.equal(result.trace?.path, 'proxy');
      assert.equal(result.trace?.proxySource, 'genos.proxy');
      assert.equal(tunnels(), 1);
    });
    await withUserSettings({ 'genos.tls.caFile': certs.caCertFile, 'http.proxy': tiny.url }, async () => {
      const result = await testConnection();
      assert.equal(result.ok, true, result.message);
      assert.equal(result.trace?.proxySource, 'http.proxy');
      assert.equal(tunnels(), 2);
    });
    await withUserSettings(
      { 'genos.tls.caFile': certs.caCertFile, 'http.proxy': tiny.url, 'http.noProxy': [lan] },
      async () => {
        const result = await testConnection();
        assert.equal(result.ok, true, result.message);
        assert.equal(result.trace?.path, 'direct');
        assert.equal(tunnels(), 2, 'http.noProxy kept the request away from the proxy');
      },
    );
  });

  it('streams a chat answer from the palette through the proxy, with the same settings as the models list', async () => {
    await useServer(behindProxy);
    await confirmToken(token);
    const before = tiny.relayed().length;
    await withUserSettings({ 'genos.tls.caFile': certs.caCertFile, 'genos.proxy': tiny.url }, async () => {
      await vscode.commands.executeCommand('genos.newChat');
      behindProxy.chatQueue.push({
        type: 'stream',
        content: splitDeltas('프록시를 거쳐 온 답변입니다.', 2),
        delayMs: 5,
      });
      const outcome = await vscode.commands.executeCommand<RequestOutcome>('genos.ask', '프록시 너머에서도 되나요?');
      assert.equal(outcome.status, 'done');
      assert.equal(outcome.answer, '프록시를 거쳐 온 답변입니다.');
    });
    const tunnels = tiny
      .relayed()
      .slice(before)
      .filter((line) => line.includes(`CONNECT ${lan}:${behindProxy.port}`));
    assert.ok(tunnels.length >= 1, 'the chat request went through the proxy');
    assert.equal(
      tunnels.length,
      tiny.relayed().length - before,
      'every request of the turn (models and chat) took the tunnel',
    );
  });

  it('ignores certificate and proxy settings from .vscode/settings.json', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'a workspace folder is open');
    const settingsFile = path.join(folder, '.vscode/settings.json');
    await useServer(selfSigned);
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(
      settingsFile,
      JSON.stringify({
        'genos.tls.allowSelfSigned': true,
        'genos.proxy': 'http://127.0.0.1:9',
        'genos.systemPrompt': 'network marker',
      }),
    );
    try {
      await waitFor(() => genosConfig().get('systemPrompt') === 'network marker', 'the workspace settings to load');
      const result = await testConnection();
      assert.equal(result.ok, false, 'a repository turned certificate checks off');
      assert.equal(result.errorKind, 'network');
      assert.match(result.message, /self-signed|자체 서명/);

      // A GenOS address off this machine would go through the repository's proxy, were it read.
      await useServer(behindProxy);
      await withUserSettings({ 'genos.tls.caFile': certs.caCertFile }, async () => {
        const direct = await testConnection();
        assert.equal(direct.ok, true, direct.message);
        assert.equal(direct.trace?.path, 'direct', 'a repository routed the token through its own proxy');
      });
    } finally {
      fs.rmSync(settingsFile, { force: true });
    }
  });
});
