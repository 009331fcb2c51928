import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Log } from '../../src/host/base/log';
import { ChatController } from '../../src/host/chat/chatController';
import { ConversationStore } from '../../src/host/chat/conversationStore';
import { ConnectionManager } from '../../src/host/connection/connectionManager';
import { TokenStore } from '../../src/host/connection/tokenStore';
import { EditorContext } from '../../src/host/context/editorContext';
import { RequestPath } from '../../src/host/requests/requestPath';
import { MemoryMemento, MemorySecrets } from '../support/memoryState';
import { answerUntilSettled, genosConfig } from './helpers';

describe('slash commands and prompt files', () => {
  const log = new Log();
  const memento = new MemoryMemento();
  const root = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
  const write = (name: string, content: string) => {
    fs.mkdirSync(path.dirname(path.join(root(), name)), { recursive: true });
    fs.writeFileSync(path.join(root(), name), content);
  };
  let userFolder: string;
  let chat: ChatController;

  before(async () => {
    write(
      '.github/prompts/review.prompt.md',
      '---\ndescription: 변경 사항을 검토합니다\nmode: agent\n---\nReview ${file}, this part:\n${selection}\n',
    );
    write('.genos/prompts/rename.md', '---\ndescription: Rename a symbol\n---\nRename ${input:old} to ${input:new}.\n');
    userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-prompts-'));
    fs.writeFileSync(path.join(userFolder, 'mine.prompt.md'), 'My own prompt.\n');
    // The user's file of the same name as the repository's wins.
    fs.writeFileSync(
      path.join(userFolder, 'review.prompt.md'),
      '---\ndescription: my review\n---\nMy review of ${file}.\n',
    );
    await genosConfig().update('promptFiles.userFolder', userFolder, vscode.ConfigurationTarget.Global);
    chat = new ChatController(
      { post: () => undefined },
      new RequestPath(new ConnectionManager(memento, new TokenStore(new MemorySecrets()), log), log),
      new ConversationStore(vscode.Uri.file(fs.mkdtempSync(path.join(os.tmpdir(), 'genos-slash-')))),
      memento,
      log,
      new EditorContext(),
    );
  });
  after(async () => {
    chat.dispose();
    await genosConfig().update('promptFiles.userFolder', undefined, vscode.ConfigurationTarget.Global);
    for (const dir of ['.github', '.genos']) fs.rmSync(path.join(root(), dir), { recursive: true, force: true });
  });

  it('lists the built-ins, then the prompt files with their descriptions as written', async () => {
    const list = await chat.slash.list();
    assert.deepEqual(
      list.map((c) => [c.name, c.source]),
      [
        ['explain', 'builtIn'],
        ['fix', 'builtIn'],
        ['tests', 'builtIn'],
        ['doc', 'builtIn'],
        ['mine', 'file'],
        ['review', 'file'],
        ['rename', 'file'],
      ],
    );
    assert.equal(list.find((c) => c.name === 'review')?.description, 'my review');
  });

  it('fills a prompt file with the file and the selection; /fix attaches the file and its problems', async () => {
    await genosConfig().update('promptFiles.userFolder', undefined, vscode.ConfigurationTarget.Global);
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(path.join(root(), 'src/hello.ts')));
    editor.selection = new vscode.Selection(0, 7, 0, 22);
    const review = await chat.slash.expand('/review and be brief');
    assert.deepEqual(review, {
      question: 'Review src/hello.ts, this part:\nconst hello = 1\n\nand be brief',
      mode: 'agent',
    });
    assert.equal(await chat.slash.expand('/nothing-like-this'), undefined, 'not a command: sent as typed');
    assert.equal(await chat.slash.expand('a question, not /fix'), undefined);
    chat.attachments.take();
    const diagnostics = vscode.languages.createDiagnosticCollection('slash-test');
    diagnostics.set(editor.document.uri, [
      new vscode.Diagnostic(new vscode.Range(0, 13, 0, 18), "'hello' is declared but never read.", 1),
    ]);
    const fix = await chat.slash.expand('/fix');
    diagnostics.dispose();
    assert.ok(fix && fix !== 'cancelled');
    assert.match(fix.question, /^Fix the problems reported in this file/);
    assert.deepEqual(
      chat.attachments.chips.map((chip) => chip.kind),
      ['file', 'problems'],
    );
    chat.attachments.take();
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('asks for each ${input:…}; Escape sends nothing', async () => {
    const cancelled = await answerUntilSettled(
      chat.slash.expand('/rename'),
      () => vscode.commands.executeCommand('workbench.action.closeQuickOpen'),
      'the input box closed',
    );
    assert.equal(cancelled, 'cancelled');
  });
});
