import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  ConversationStore,
  recoveryMessage,
  type Conversation,
  type RecoveryReport,
} from '../../src/host/chat/conversationStore';

function conversation(id: string, question: string, updatedAt: number): Conversation {
  return {
    id,
    title: question,
    createdAt: updatedAt,
    updatedAt,
    turns: [
      {
        id: `t-${id}`,
        question,
        context: [],
        contextBlocks: [],
        answer: `${question}에 대한 답`,
        reasoning: '',
        status: 'done',
      },
    ],
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

    assert.deepEqual(
      (await store.list()).map((c) => c.title),
      ['둘째 대화', '첫 대화'],
    );
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
    assert.deepEqual(
      (JSON.parse(fs.readFileSync(path.join(folder, 'index.json'), 'utf8')) as Array<{ id: string }>)
        .map((e) => e.id)
        .sort(),
      ['convA', 'convB'],
    );

    await store.save(conversation('convD', '새 대화', 3000));
    assert.deepEqual(
      (await store.list()).map((c) => c.title),
      ['새 대화', '둘째 대화', '첫 대화'],
    );
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
    assert.deepEqual(
      (await store.list()).map((c) => c.id),
      ['convA'],
    );
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
    const expected = [
      ...Array.from({ length: 8 }, (_, i) => `one${i}`),
      ...Array.from({ length: 8 }, (_, i) => `two${i}`),
    ].sort();
    assert.deepEqual((await first.list()).map((c) => c.id).sort(), expected);
    assert.deepEqual((await new ConversationStore(uri).list()).map((c) => c.id).sort(), expected);
    // A deletion in one window is not undone by the other's stale index.
    await first.delete('two3');
    await second.save(conversation('two0', '창 2의 대화 0', 3000));
    assert.ok(!(await second.list()).some((c) => c.id === 'two3'));
  });

  it('sets aside a conversation of the wrong shape, reads older files without attachments, and takes the id from the file name', async () => {
    const reports: RecoveryReport[] = [];
    const store = new ConversationStore(vscode.Uri.file(folder), (report) => reports.push(report));
    const good = conversation('convA', '멀쩡한 대화', 1000);
    const wrong = {
      ...conversation('convB', '모양이 틀린 대화', 2000),
      turns: [{ id: 't', question: 42, answer: '', status: 'done' }],
    };
    const older = conversation('convC', '첨부가 없던 시절', 3000) as unknown as {
      turns: Array<Record<string, unknown>>;
    };
    delete older.turns[0].contextBlocks;
    delete older.turns[0].reasoning;
    write('convA.json', JSON.stringify(good));
    write('convB.json', JSON.stringify(wrong));
    write('convC.json', JSON.stringify(older));
    // A file whose contents claim another conversation's id is read under its own name.
    write('convD.json', JSON.stringify(conversation('convA', '이름이 다른 파일', 4000)));
    assert.deepEqual(
      (await store.list()).map((c) => c.id),
      ['convD', 'convC', 'convA'],
    );
    assert.equal(reports.length, 1);
    assert.match(path.basename(reports[0].setAside[0].fsPath), /^convB\.corrupt-/);
    const reopened = await store.load('convC');
    assert.deepEqual([reopened?.turns[0].contextBlocks, reopened?.turns[0].reasoning], [[], '']);
    assert.equal((await store.load('convD'))?.id, 'convD');
  });

  it('never reads or removes the index as a conversation, whatever id it is asked for', async () => {
    const store = new ConversationStore(vscode.Uri.file(folder));
    await store.save(conversation('convA', '대화', 1000));
    const index = fs.readFileSync(path.join(folder, 'index.json'), 'utf8');
    for (const id of ['index', '../convA', 'conv A', '']) {
      assert.equal(await store.load(id), undefined, id);
      await store.delete(id);
    }
    await store.save(conversation('index', '인덱스를 덮으려는 대화', 2000));
    assert.equal(fs.readFileSync(path.join(folder, 'index.json'), 'utf8'), index);
    assert.deepEqual(files(), ['convA.json', 'index.json']);
  });

  it('writes the files for the user alone, and leaves no temporary file when a write fails', async () => {
    const store = new ConversationStore(vscode.Uri.file(folder));
    await store.save(conversation('convA', '코드가 담긴 대화', 1000));
    for (const name of files()) assert.equal(fs.statSync(path.join(folder, name)).mode & 0o777, 0o600, name);
    // The target turned into a folder: the rename fails after the temporary file was written.
    fs.rmSync(path.join(folder, 'convA.json'));
    fs.mkdirSync(path.join(folder, 'convA.json'));
    fs.writeFileSync(path.join(folder, 'convA.json', 'keep'), 'x');
    await assert.rejects(store.save(conversation('convA', '실패할 저장', 2000)));
    assert.ok(!files().some((name) => name.includes('.tmp-')), `no temporary file left: ${files().join(', ')}`);
  });

  it('says how many conversations were recovered in words that fit the count', () => {
    assert.doesNotMatch(recoveryMessage(1, 'a.json'), /1 conversations/);
    assert.match(recoveryMessage(1, 'a.json'), /One conversation was recovered|대화 하나를/);
    assert.match(recoveryMessage(0, 'a.json'), /none could be recovered|복구한 대화는 없습니다/);
    assert.match(recoveryMessage(3, 'a.json'), /3 conversations were recovered|대화 3개를/);
  });
});
