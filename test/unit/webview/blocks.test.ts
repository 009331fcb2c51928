import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { BlockScanner, SEGMENT_LINES, TextWindow, type Block } from '../../../src/webview/blocks';

/** What a block holds, as text: markdown whole, code as its language and body. */
type Seen = { markdown: string; join?: string } | { code: string; language: string };

/**
 * Streams `pieces` into a scanner (scanning after each, as frames do), then finishes the text when
 * `complete`. `written` says which code blocks the renderer is already writing.
 */
function scan(pieces: string[], complete = true, written: (start: number) => boolean = () => false) {
  const text = new TextWindow();
  const scanner = new BlockScanner(text, (info) => info.trim().split(/\s/)[0].toLowerCase());
  const whole = pieces.join('');
  const blocks: Block[] = [];
  const take = () => blocks.push(...scanner.blocks.splice(0));
  for (const piece of pieces) {
    text.append(piece);
    scanner.scan(false, written);
    take();
  }
  if (complete) {
    scanner.scan(true, written);
    take();
  }
  const seen: Seen[] = blocks.map((block) =>
    block.kind === 'markdown'
      ? { markdown: whole.slice(block.start, block.end), ...(block.join ? { join: block.join.kind } : {}) }
      : { code: whole.slice(block.bodyStart, block.bodyEnd), language: block.language },
  );
  return { seen, scanner, text };
}

describe('the block scanner', () => {
  it('cuts finished markdown at a blank line before a block at the margin, and only at a full line', () => {
    const { seen } = scan(['# Title\n\nFirst para', 'graph.\n\nSecond'], false);
    assert.deepEqual(seen, [{ markdown: '# Title\n\n' }]);
    assert.deepEqual(scan(['# Title\n\nFirst para', 'graph.\n\nSecond']).seen, [
      { markdown: '# Title\n\n' },
      { markdown: 'First paragraph.\n\n' },
      { markdown: 'Second' },
    ]);
  });

  it('does not cut inside an indented fence, where blank lines belong to the code', () => {
    const text = '- item\n\n  ```js\n  a();\n\n  b();\n  ```\n\nAfter\n';
    assert.deepEqual(scan([text]).seen, [
      { markdown: '- item\n\n  ```js\n  a();\n\n  b();\n  ```\n\n' },
      { markdown: 'After\n' },
    ]);
  });

  it('keeps a small closed code block in the markdown around it, unless it is already being written', () => {
    const text = 'Intro\n```ts\nconst a = 1;\n```\nOutro\n';
    assert.deepEqual(scan([text]).seen, [{ markdown: text }]);
    // The same block, shown while it was open: it stays code, and what came before is final.
    assert.deepEqual(scan([text], true, () => true).seen, [
      { markdown: 'Intro\n' },
      { code: 'const a = 1;\n', language: 'ts' },
      { markdown: 'Outro\n' },
    ]);
  });

  it('writes a long code block as code, however it arrived', () => {
    const body = Array.from({ length: SEGMENT_LINES + 1 }, (_, i) => `line ${i}\n`).join('');
    assert.deepEqual(scan([`~~~Python extra\n${body}~~~\n`]).seen, [{ code: body, language: 'python' }]);
  });

  it('holds an open fence as open code, with what came before cut off as final', () => {
    const { seen, scanner } = scan(['Before\n```sh\necho 1\n'], false);
    assert.deepEqual(seen, [{ markdown: 'Before\n' }]);
    assert.equal(scanner.open?.language, 'sh');
    assert.equal(scanner.open?.lines, 1);
  });

  it('ends a fence never closed at the end of a complete text', () => {
    assert.deepEqual(scan(['```\nopen\n', 'still']).seen, [{ code: 'open\nstill', language: '' }]);
  });

  it('takes a fence whose info string holds a backtick for inline code, not a fence', () => {
    assert.deepEqual(scan(['```a`b```\ntext\n']).seen, [{ markdown: '```a`b```\ntext\n' }]);
  });

  it('closes a fence only with the same marker, at least as long', () => {
    const text = '````md\n```\ninner\n```\n````\n';
    const long = scan([text], true, () => true).seen;
    assert.deepEqual(long, [{ code: '```\ninner\n```\n', language: 'md' }]);
  });

  it('cuts a long tight list between items, the later part joining it', () => {
    const items = Array.from({ length: 60 }, (_, i) => `- item number ${i} with some words\n`).join('');
    const { seen } = scan([items]);
    assert.ok(seen.length > 1, 'the list was cut');
    assert.equal(seen.map((s) => ('markdown' in s ? s.markdown : '')).join(''), items);
    assert.equal((seen[0] as { join?: string }).join, undefined);
    for (const later of seen.slice(1)) assert.equal((later as { join?: string }).join, 'list');
  });

  it('never cuts a loose list (a blank line between items), nor a short one', () => {
    const loose = Array.from({ length: 60 }, (_, i) => `- item number ${i} with some words\n\n`).join('');
    assert.ok(scan([loose]).seen.every((block) => !('join' in block)));
    assert.equal(scan(['- a\n- b\n- c\n']).seen.length, 1);
  });

  it('cuts a long table between rows; the later parts join it under its head', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `| ${i} | some text in a cell |\n`).join('');
    const { seen } = scan([`| n | text |\n|---|---|\n${rows}`]);
    assert.ok(seen.length > 1);
    for (const later of seen.slice(1)) assert.equal((later as { join?: string }).join, 'table');
  });

  it('says which text is still needed, so the rest can be let go', () => {
    const { seen, scanner, text } = scan(['Done.\n\nStill\nwrit'], false);
    assert.deepEqual(seen, [{ markdown: 'Done.\n\n' }]);
    assert.equal(scanner.needed(), 'Done.\n\n'.length);
    text.release(scanner.needed());
    assert.equal(text.slice(scanner.blockStart), 'Still\nwrit');
    assert.equal(scanner.needed({ start: 0, needed: () => 3 }), 3);
  });
});

describe('the text window', () => {
  it('addresses the whole text by offsets after letting go of its start', () => {
    const text = new TextWindow();
    text.append('hello ');
    text.append('world\nmore');
    text.release(6);
    assert.equal(text.end, 16);
    assert.equal(text.slice(6, 11), 'world');
    assert.equal(text.indexOf('\n', 6), 11);
    assert.equal(text.indexOf('x', 6), -1);
    text.release(2);
    assert.equal(text.slice(6), 'world\nmore');
  });
});
