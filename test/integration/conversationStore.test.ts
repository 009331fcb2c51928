import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ConversationStore, type Conversation, type RecoveryReport } from '../../src/host/conversationStore';

function conversation(id: string, question: string, updatedAt: number): Conversation {
  return {
    id,
    title: question,
    createdAt: updatedAt,
    updatedAt,
    turns: [{ id: `t-${id}`, question, context: [], contextBlocks: [], answer: `${question}에 대한 답`, reasoning: '', status: 'done' }],
  };
}

describe('saved conversations survive damage and other windows', () => {
  let folder: string;
  beforeEach(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'genos-store-'));
  });
  afterEach(() => fs.rmSync(folder, { recursive: true, force: true }));

  const write = (name: string, text: string) => fs.writeFileSync(path.join(folder, name), text);
  const files = () => fs.readdirSync(folder).sort();

  it('rebuilds a damaged index from the readable files, sets damaged files aside, and says so once', async () => {
    write('convA.json', JSON.stringify(conversation('convA', '첫 대화', 1000)));
    write('convB.json', JSON.stringify(conversation('convB', '둘째 대화', 2000)));
    write('convC.json', '{"id":"convC","turns":[{"question":"잘린'); // cut off mid-write
    write('index.json', '[{"id":"convA","title":"첫 대화","upd');
    const reports: RecoveryReport[] = [];
    const store = new ConversationStore(vscode.Uri.file(folder), (report) => reports.push(report));

    assert.deepEqual((await store.list()).map((c) => c.title), ['둘째 대화', '첫 대화']);
    assert.equal(reports.length, 1);
    assert.equal(reports[0].recovered, 2);
    const aside = reports[0].setAside.map((uri) => path.basename(uri.fsPath)).sort();
    assert.equal(aside.length, 2);
    assert.match(aside[0], /^convC\.corrupt-[\w-]+\.json$/);
    assert.match(aside[1], /^index\.corrupt-[\w-]+\.json$/);
    // The damaged copies are kept as they were, never overwritten.
    assert.equal(fs.readFileSync(path.join(folder, aside[1]), 'utf8'), '[{"id":"convA","title":"첫 대화","upd');
    assert.equal(fs.readFileSync(path.join(folder, aside[0]), 'utf8'), '{"id":"convC","turns":[{"question":"잘린');
    // The repaired index is on disk, so the next start needs no repair.
    assert.deepEqual((JSON.parse(fs.readFileSync(path.join(folder, 'index.json'), 'utf8')) as Array<{ id: string }>).map((e) => e.id).sort(), ['convA', 'convB']);

    await store.save(conversation('convD', '새 대화', 3000));
    assert.deepEqual((await store.list()).map((c) => c.title), ['새 대화', '둘째 대화', '첫 대화']);
    write('index.json', 'not json');
    await store.list();
    assert.equal(reports.length, 1, 'the user is told once per session');
    assert.ok(!files().some((name) => name.includes('.tmp-')), `no temporary file left: ${files().join(', ')}`);
  });

  it('sets aside a damaged conversation when it is opened, and lists the rest', async () => {
    const reports: RecoveryReport[] = [];
    const store = new ConversationStore(vscode.Uri.file(folder), (report) => reports.push(report));
    await store.save(conversation('convA', '멀쩡한 대화', 1000));
    await store.save(conversation('convB', '망가질 대화', 2000));
    write('convB.json', '\u0000\u0000\u0000');
    assert.equal(await store.load('convB'), undefined);
    assert.equal(reports.length, 1);
    assert.match(path.basename(reports[0].setAside[0].fsPath), /^convB\.corrupt-/);
    assert.deepEqual((await store.list()).map((c) => c.id), ['convA']);
    assert.equal((await store.load('convA'))?.title, '멀쩡한 대화');
  });

  it('keeps the conversations of two windows saving at the same time', async () => {
    const uri = vscode.Uri.file(folder);
    const first = new ConversationStore(uri);
    const second = new ConversationStore(uri);
    await first.list();
    await second.list();
    const saves: Array<Promise<void>> = [];
    for (let i = 0; i < 8; i++) {
      saves.push(first.save(conversation(`one${i}`, `창 1의 대화 ${i}`, 1000 + i)));
      saves.push(second.save(conversation(`two${i}`, `창 2의 대화 ${i}`, 2000 + i)));
    }
    await Promise.all(saves);
    const expected = [...Array.from({ length: 8 }, (_, i) => `one${i}`), ...Array.from({ length: 8 }, (_, i) => `two${i}`)].sort();
    assert.deepEqual((await first.list()).map((c) => c.id).sort(), expected);
    assert.deepEqual((await new ConversationStore(uri).list()).map((c) => c.id).sort(), expected);
    // A deletion in one window is not undone by the other's stale index.
    await first.delete('two3');
    await second.save(conversation('two0', '창 2의 대화 0', 3000));
    assert.ok(!(await second.list()).some((c) => c.id === 'two3'));
  });
});
