import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { describeError, errorActions, english } from '../../src/client/errorMessages';
import { GenosError } from '../../src/client/errors';
import { ConnectionManager } from '../../src/host/connection/connectionManager';
import { Log } from '../../src/host/base/log';
import { provisionedServing } from '../../src/host/connection/provisioned';
import { TokenStore } from '../../src/host/connection/tokenStore';
import { FakeGenos } from '../support/genosServer';
import { MemoryMemento, MemorySecrets } from '../support/memoryState';
import { answerUntilSettled, confirmToken, genosConfig, testConnection, useServer } from './helpers';

describe('token and test connection', () => {
  let server: FakeGenos;
  let other: FakeGenos;

  before(async () => {
    server = new FakeGenos({ token: 'token-for-serving-43', models: ['Qwen3-8B', 'gemma-3'] });
    other = new FakeGenos({ token: 'token-for-serving-7', servingId: '7', models: ['other-model'] });
    await server.start();
    await other.start();
  });
  after(async () => {
    await server.close();
    await other.close();
    await genosConfig().update('baseUrl', undefined, vscode.ConfigurationTarget.Global);
    await genosConfig().update('servingId', undefined, vscode.ConfigurationTarget.Global);
  });

  it('refuses to store a token before the address is set, and says what is missing', async () => {
    await genosConfig().update('baseUrl', undefined, vscode.ConfigurationTarget.Global);
    const result = await testConnection();
    assert.equal(result.ok, false);
    assert.equal(result.errorKind, 'config');
    assert.match(result.message, /GenOS address is not set|GenOS 주소가 설정되지/);
  });

  it('in a codespace that names its serving but provides no key, says the key is missing and offers Set Access Token', async () => {
    await genosConfig().update('baseUrl', undefined, vscode.ConfigurationTarget.Global);
    await genosConfig().update('servingId', undefined, vscode.ConfigurationTarget.Global);
    const provisioned = provisionedServing({
      GENOS_SERVING_URL: `${server.baseUrl}/api/gateway/rep/serving/${server.servingId}/v1`,
    });
    const connections = new ConnectionManager(
      new MemoryMemento(),
      new TokenStore(new MemorySecrets()),
      new Log(),
      provisioned,
    );
    const failure = await connections.connect(false).then(
      () => assert.fail('connected without a key'),
      (error: unknown) => error as GenosError,
    );
    assert.deepEqual(
      [failure.kind, failure.configProblem, failure.detail],
      ['config', 'missingToken', 'environmentKey'],
    );
    assert.match(describeError(failure, english), /GENOS_SERVING_API_KEY/);
    assert.doesNotMatch(describeError(failure, english), /address is not set/);
    assert.deepEqual(errorActions(failure), ['setToken']);
    assert.equal(connections.endpoint().href, `${server.baseUrl}/api/gateway/rep/serving/${server.servingId}`);
  });

  it('stores the token in SecretStorage and sends it as a bearer token', async () => {
    await useServer(server);
    assert.equal(await confirmToken('  Bearer token-for-serving-43 '), true);
    const result = await testConnection();
    assert.equal(result.ok, true, result.message);
    assert.deepEqual(result.models, ['Qwen3-8B', 'gemma-3']);
    assert.match(result.message, /Qwen3-8B/);
    assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer token-for-serving-43');
  });

  it("never stores a token passed by a link or another extension without the user's Enter", async () => {
    const swapped = await answerUntilSettled(
      vscode.commands.executeCommand('genos.setToken', 'an-attackers-token'),
      () => vscode.commands.executeCommand('workbench.action.closeQuickOpen'),
      'the box dismissed',
    );
    assert.equal(swapped, false);
    const result = await testConnection();
    assert.equal(result.ok, true, "the user's token is still the one sent");
    assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer token-for-serving-43');
  });

  it('keeps one token per serving', async () => {
    await useServer(other);
    await confirmToken('token-for-serving-7');
    assert.equal((await testConnection()).ok, true);
    await useServer(server);
    const back = await testConnection();
    assert.equal(back.ok, true, back.message);
    assert.equal(server.requests.at(-1)?.headers.authorization, 'Bearer token-for-serving-43');
  });

  it('reports a wrong token as 401 with a way to set a new one', async () => {
    await confirmToken('not-the-token');
    const result = await testConnection();
    assert.equal(result.ok, false);
    assert.equal(result.errorKind, 'unauthorized');
    assert.match(result.message, /401/);
    await confirmToken('token-for-serving-43');
  });

  it('reports a wrong serving id as not found, and a closed port as refused', async () => {
    await genosConfig().update('servingId', '999', vscode.ConfigurationTarget.Global);
    await confirmToken('token-for-serving-43');
    const notFound = await testConnection();
    assert.equal(notFound.errorKind, 'notFound');
    assert.match(notFound.message, /404/);

    const closed = new FakeGenos();
    await closed.start();
    const url = closed.baseUrl;
    await closed.close();
    await genosConfig().update('baseUrl', url, vscode.ConfigurationTarget.Global);
    await genosConfig().update('servingId', '43', vscode.ConfigurationTarget.Global);
    await confirmToken('token-for-serving-43');
    const refused = await testConnection();
    assert.equal(refused.errorKind, 'network');
    assert.match(refused.message, /refused|거부/);
  });

  it('clears the token: the next request asks for one instead of sending anything', async () => {
    await useServer(server);
    assert.equal(await vscode.commands.executeCommand('genos.clearToken'), true);
    const before = server.requests.length;
    // The password box opens; the user dismisses it.
    const result = await answerUntilSettled(
      testConnection(),
      () => vscode.commands.executeCommand('workbench.action.closeQuickOpen'),
      'the password box dismissed',
    );
    assert.equal(result.ok, false);
    assert.equal(result.errorKind, 'config');
    assert.equal(server.requests.length, before, 'nothing was sent without a token');
  });
});

describe('plain http to another machine', () => {
  after(async () => {
    await genosConfig().update('baseUrl', undefined, vscode.ConfigurationTarget.Global);
    await genosConfig().update('servingId', undefined, vscode.ConfigurationTarget.Global);
  });

  it('does not send the token without consent', async () => {
    // Dialogs are refused while tests run, as when the user closes the warning.
    await genosConfig().update('baseUrl', 'http://genos.invalid', vscode.ConfigurationTarget.Global);
    await genosConfig().update('servingId', '43', vscode.ConfigurationTarget.Global);
    await confirmToken('some-token');
    const result = await testConnection();
    assert.equal(result.ok, false);
    assert.equal(result.errorKind, 'config');
    assert.match(result.message, /plain http/);
    await vscode.commands.executeCommand('genos.clearToken');
  });
});
