import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RequestOutcome } from '../../src/host/requests/requestPath';
import type { ApplyResult } from '../../src/host/editor/rewriteCommand';
import { FakeGenos, splitDeltas } from '../support/genosServer';
import { confirmToken, genosConfig, useServer, waitFor } from './helpers';

const source = [
  'export interface Shape {',
  '  area(): number;',
  '}',
  '',
  'export function total(shapes: Shape[]): number {',
  '  let sum = 0;',
  '  for (const s of shapes) sum += s.area();',
  '  return sum;',
  '}',
  '',
].join('\n');
const selected =
  'export function total(shapes: Shape[]): number {\n  let sum = 0;\n  for (const s of shapes) sum += s.area();\n  return sum;\n}';
const rewritten =
  'export function total(shapes: Shape[]): number {\n  return shapes.reduce((sum, s) => sum + s.area(), 0);\n}';

type Messages = Array<{ role: string; content: string }>;

describe('editor commands', () => {
  let server: FakeGenos;
  let file: string;

  /** Opens shapes.ts with `total` selected (lines 5-9). */
  async function selectTotal(): Promise<vscode.TextEditor> {
    fs.writeFileSync(file, source);
    const document = await vscode.workspace.openTextDocument(file);
    const editor = await vscode.window.showTextDocument(document);
    if (document.getText() !== source) {
      // An earlier test left edits: put the original back.
      const reset = new vscode.WorkspaceEdit();
      reset.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), source);
      await vscode.workspace.applyEdit(reset);
    }
    await document.save();
    editor.selection = new vscode.Selection(4, 0, 8, 1);
    return editor;
  }

  const lastMessages = () => (server.chatRequests.at(-1)?.body as { messages: Messages }).messages;

  before(async () => {
    server = new FakeGenos({ token: 'editor-token' });
    await server.start();
    await useServer(server);
    await confirmToken('editor-token');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder);
    file = path.join(folder, 'shapes.ts');
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await genosConfig().update('explainOutput', undefined, vscode.ConfigurationTarget.Global);
    fs.rmSync(file, { force: true });
    await server.close();
  });

  it('explains the selection in the chat panel, with language, file name and surroundings', async () => {
    await selectTotal();
    server.chatQueue.push({ type: 'stream', content: splitDeltas('이 함수는 도형 넓이의 합을 구합니다.', 3) });
    const outcome = await vscode.commands.executeCommand<RequestOutcome>('genos.explainSelection');
    assert.equal(outcome.status, 'done');
    assert.equal(outcome.answer, '이 함수는 도형 넓이의 합을 구합니다.');
    const question = lastMessages().at(-1)?.content ?? '';
    assert.ok(question.includes(`shapes.ts:5-9:\n\`\`\`typescript\n${selected}\n\`\`\``), question);
    assert.match(question, /Lines around it in shapes\.ts[\s\S]*area\(\): number;/);
    assert.match(question, /typescript code in shapes\.ts/);
  });

  it('explains inline, and the explanation can continue in the panel', async () => {
    await genosConfig().update('explainOutput', 'inline', vscode.ConfigurationTarget.Global);
    await selectTotal();
    server.chatQueue.push({ type: 'stream', content: splitDeltas('**인라인** 설명입니다.', 2), delayMs: 5 });
    const outcome = await vscode.commands.executeCommand<RequestOutcome>('genos.explainSelection');
    assert.equal(outcome.status, 'done');
    assert.equal(outcome.answer, '**인라인** 설명입니다.');

    await vscode.commands.executeCommand('genos.newChat');
    await vscode.commands.executeCommand('genos.continueInPanel');
    server.chatQueue.push({ type: 'stream', content: ['네.'] });
    await vscode.commands.executeCommand('genos.ask', '더 자세히 알려 주세요');
    const messages = lastMessages();
    assert.deepEqual(messages.map((m) => m.role).slice(-3), ['user', 'assistant', 'user']);
    assert.equal(messages.at(-2)?.content, '**인라인** 설명입니다.');
    await genosConfig().update('explainOutput', undefined, vscode.ConfigurationTarget.Global);
  });

  it('shows images in an inline explanation as links, so nothing loads from the answer', async () => {
    await genosConfig().update('explainOutput', 'inline', vscode.ConfigurationTarget.Global);
    try {
      await selectTotal();
      const answer = '요약 ![도표](https://attacker.example/p.png?c=total) 끝';
      server.chatQueue.push({ type: 'stream', content: splitDeltas(answer, 3) });
      const outcome = await vscode.commands.executeCommand<RequestOutcome>('genos.explainSelection');
      assert.equal(outcome.answer, answer, 'the answer is kept as the model wrote it');
      assert.equal(outcome.shown, '요약 \\![도표](https://attacker.example/p.png?c=total) 끝');
    } finally {
      await genosConfig().update('explainOutput', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('rewrites into a diff; accept applies exactly the new code as one undoable edit', async () => {
    const editor = await selectTotal();
    server.chatQueue.push({
      type: 'stream',
      content: splitDeltas(
        `다음과 같이 바꿀 수 있습니다:\n\n\`\`\`ts\n${rewritten}\n\`\`\`\n\nreduce를 사용했습니다.`,
        4,
      ),
    });
    const outcome = await vscode.commands.executeCommand<RequestOutcome>(
      'genos.rewriteSelection',
      'reduce를 써 주세요',
    );
    assert.equal(outcome.proposed, rewritten);
    assert.match(lastMessages().at(-1)?.content ?? '', /Request: reduce를 써 주세요$/);
    const diff = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .find((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.scheme === 'genos-rewrite');
    assert.ok(diff, 'the diff is shown before anything changes');
    assert.equal(editor.document.getText(), source, 'nothing changed before accepting');

    const result = await vscode.commands.executeCommand<ApplyResult>('genos.acceptRewrite');
    assert.deepEqual(result, { applied: true });
    assert.equal(editor.document.getText(), source.replace(selected, rewritten));
    await vscode.window.showTextDocument(editor.document);
    await vscode.commands.executeCommand('undo');
    assert.equal(editor.document.getText(), source, 'one undo restores the original');
  });

  it('reject leaves the file untouched and closes the diff', async () => {
    const editor = await selectTotal();
    server.chatQueue.push({ type: 'stream', content: [`\`\`\`ts\n${rewritten}\n\`\`\``] });
    await vscode.commands.executeCommand('genos.rewriteSelection', '');
    assert.match(lastMessages().at(-1)?.content ?? '', /Request: Improve this code/);
    await vscode.commands.executeCommand('genos.rejectRewrite');
    assert.equal(editor.document.getText(), source);
    assert.equal(editor.document.isDirty, false);
    const diffs = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .filter((tab) => tab.input instanceof vscode.TabInputTextDiff);
    assert.equal(diffs.length, 0);
    assert.deepEqual(await vscode.commands.executeCommand('genos.acceptRewrite'), { applied: false, reason: 'none' });
  });

  it('refuses to apply when an edit touched the selected code while the answer streamed', async () => {
    const editor = await selectTotal();
    server.chatQueue.push({ type: 'stream', content: splitDeltas(`\`\`\`ts\n${rewritten}\n\`\`\``, 3), delayMs: 20 });
    const pending = vscode.commands.executeCommand<RequestOutcome>('genos.rewriteSelection', 'shorter');
    await waitFor(() => server.chatRequests.length > 0 && !server.chatRequests.at(-1)?.finished, 'the rewrite request');
    await editor.edit((edit) => edit.insert(new vscode.Position(5, 2), '// touched\n  '));
    assert.equal((await pending).proposed, rewritten);
    const result = await vscode.commands.executeCommand<ApplyResult>('genos.acceptRewrite');
    assert.deepEqual(result, { applied: false, reason: 'changed' });
    assert.equal(editor.document.getText(), source.replace('  let sum', '  // touched\n  let sum'));
  });

  it('applies to the code where it moved when lines were added above it, even if the old lines read the same', async () => {
    const editor = await selectTotal();
    server.chatQueue.push({ type: 'stream', content: splitDeltas(`\`\`\`ts\n${rewritten}\n\`\`\``, 3), delayMs: 20 });
    const pending = vscode.commands.executeCommand<RequestOutcome>('genos.rewriteSelection', 'shorter');
    await waitFor(() => server.chatRequests.length > 0 && !server.chatRequests.at(-1)?.finished, 'the rewrite request');
    // A copy of the selected code lands above it: the old lines now hold the copy, word for word.
    await editor.edit((edit) => edit.insert(new vscode.Position(3, 0), `\n${selected}`));
    const moved = editor.document.getText();
    assert.equal(editor.document.getText(new vscode.Range(4, 0, 8, 1)), selected);
    assert.equal((await pending).proposed, rewritten);
    assert.deepEqual(await vscode.commands.executeCommand<ApplyResult>('genos.acceptRewrite'), { applied: true });
    const at = moved.lastIndexOf(selected);
    assert.equal(
      editor.document.getText(),
      moved.slice(0, at) + rewritten + moved.slice(at + selected.length),
      'the copy above is untouched',
    );
  });

  it('Stop cancels a rewrite and closes its connection; nothing is proposed', async () => {
    const editor = await selectTotal();
    let written = 0;
    server.chatQueue.push({
      type: 'stream',
      content: splitDeltas(`\`\`\`ts\n${rewritten}\n\`\`\``, 1),
      delayMs: 60,
      onWrite: () => written++,
    });
    const pending = vscode.commands.executeCommand<RequestOutcome>('genos.rewriteSelection', 'slowly');
    await waitFor(() => written >= 4, 'part of the rewrite');
    await vscode.commands.executeCommand('genos.stop');
    const outcome = await pending;
    assert.equal(outcome.status, 'stopped');
    assert.equal(outcome.proposed, undefined);
    const request = server.chatRequests.at(-1);
    await request?.closed;
    assert.equal(request?.closedEarly, true);
    assert.equal(editor.document.getText(), source);
  });
});
