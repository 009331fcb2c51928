import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import type { RequestOutcome } from '../../../src/host/requests/requestPath';
import type { TestConnectionResult } from '../../../src/host/connection/connectionCommands';
import { FakeGenos } from '../../support/genosServer';
import { answerUntilSettled, confirmToken, genosConfig, waitFor } from '../helpers';

// The runner started this extension host with GENOS_SERVING_URL, GENOS_SERVING_API_KEY and
// GENOS_SERVING_MODEL_ID pointing at a port it chose; the GenOS answering there is started here.
const port = Number(process.env.GENOS_TEST_PROVISIONED_PORT);
const key = process.env.GENOS_SERVING_API_KEY ?? '';

describe('a GenOS codespace: the serving comes from the environment', () => {
  let provisioned: FakeGenos;
  let other: FakeGenos;
  before(async () => {
    provisioned = new FakeGenos({ token: key, port, servingId: '77', models: ['listed-first', 'Qwen2.5-Coder-7B'] });
    await provisioned.start();
    other = new FakeGenos({ token: 'user-token', models: ['user-model'] });
    await other.start();
  });
  after(async () => {
    for (const setting of ['baseUrl', 'servingId']) {
      await genosConfig().update(setting, undefined, vscode.ConfigurationTarget.Global);
    }
    await provisioned.close();
    await other.close();
  });

  // Runs first: nothing in this window has asked for models yet.
  (process.env.GENOS_VSCODE === '1.139' ? it : it.skip)(
    "lists the serving in VS Code's chat right after activation, with no user action",
    async () => {
      const listed = () => provisioned.requests.some((request) => request.path.endsWith('/v1/models'));
      // Started before this server was: the first listing may find nothing there, and is asked again.
      await waitFor(listed, "the chat's first model query, made by no one but the provider", 30_000);
      const models = await vscode.lm.selectChatModels({ vendor: 'genos' });
      assert.deepEqual(models.map((model) => model.id).sort(), ['Qwen2.5-Coder-7B', 'listed-first']);
    },
  );

  it('works with no settings and no stored token, and says where each value came from', async () => {
    assert.equal(genosConfig().inspect('baseUrl')?.globalValue, undefined);
    const result = await vscode.commands.executeCommand<TestConnectionResult>('genos.testConnection');
    assert.equal(result.ok, true, result.message);
    assert.deepEqual(result.sources, { address: 'environment', token: 'environment', model: 'environment' });
    assert.match(
      result.message,
      /from the environment \(GENOS_SERVING_URL, GENOS_SERVING_API_KEY\), the model from GENOS_SERVING_MODEL_ID/,
    );

    provisioned.chatQueue.push({ type: 'stream', content: ['코드스페이스에서 ', '바로 답합니다'] });
    const outcome = await vscode.commands.executeCommand<RequestOutcome>('genos.ask', '설정 없이 되나요?');
    assert.equal(outcome.status, 'done');
    assert.equal(outcome.answer, '코드스페이스에서 바로 답합니다');
    const request = provisioned.chatRequests.at(-1);
    assert.equal(request?.headers.authorization, `Bearer ${key}`);
    assert.ok(request?.path.startsWith('/api/gateway/rep/serving/77/v1/chat/completions'));
    // The model the environment names, not the first one the serving lists.
    assert.equal((request?.body as { model: string }).model, 'Qwen2.5-Coder-7B');
  });

  it('user settings win over the environment, and the key goes only to its own serving', async () => {
    await genosConfig().update('baseUrl', other.baseUrl, vscode.ConfigurationTarget.Global);
    await genosConfig().update('servingId', other.servingId, vscode.ConfigurationTarget.Global);
    await waitFor(() => genosConfig().inspect('baseUrl')?.globalValue === other.baseUrl, 'the setting');
    const before = provisioned.requests.length;
    // No token is stored for the user's serving, and the provisioned key is not offered to it:
    // the editor asks for one; the user dismisses the box, and nothing is sent.
    const unanswered = await answerUntilSettled(
      vscode.commands.executeCommand<TestConnectionResult>('genos.testConnection'),
      () => vscode.commands.executeCommand('workbench.action.closeQuickOpen'),
      'the token box dismissed',
    );
    assert.equal(unanswered.ok, false);
    assert.equal(unanswered.errorKind, 'config');
    assert.equal(other.requests.length, 0, "nothing was sent to the user's serving without its own token");

    await confirmToken('user-token');
    const result = await vscode.commands.executeCommand<TestConnectionResult>('genos.testConnection');
    assert.equal(result.ok, true, result.message);
    assert.deepEqual(result.sources, { address: 'settings', token: 'stored', model: 'serving' });
    assert.equal(other.requests.at(-1)?.headers.authorization, 'Bearer user-token');
    assert.ok(
      !other.requests.some((r) => r.headers.authorization === `Bearer ${key}`),
      'the provisioned key reached another serving',
    );
    assert.equal(provisioned.requests.length, before);
  });
});
