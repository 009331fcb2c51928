import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { commandName, fillPrompt, inputsOf, parsePromptFile } from '../../../src/client/promptFiles';

describe('prompt files as slash commands', () => {
  it('reads the name, the front matter and the body; Korean descriptions stay as written', () => {
    const file = parsePromptFile(
      'review.prompt.md',
      '---\ndescription: 변경 사항을 검토합니다\nmode: agent\nmodel: Qwen3-8B\n---\nReview ${file}.\n',
    );
    assert.deepEqual(file, {
      name: 'review',
      description: '변경 사항을 검토합니다',
      mode: 'agent',
      model: 'Qwen3-8B',
      body: 'Review ${file}.',
    });
    assert.equal(parsePromptFile('empty.md', '---\ndescription: x\n---\n'), undefined, 'no body, no command');
    assert.equal(parsePromptFile('x.md', '---\nmode: delete-everything\n---\nHi')?.mode, undefined);
  });

  it('names commands after their files, and refuses names that cannot be typed after /', () => {
    assert.equal(commandName('add-tests.prompt.md'), 'add-tests');
    assert.equal(commandName('리뷰.md'), '리뷰');
    assert.equal(commandName('two words.md'), undefined);
    assert.equal(commandName('.hidden.md'), undefined);
  });

  it('an input named like an object property is only a name', () => {
    assert.equal(fillPrompt('${input:__proto__}', { inputs: new Map([['__proto__', 'x']]) }), 'x');
    assert.equal(fillPrompt('${input:constructor}', { inputs: new Map() }), '${input:constructor}');
  });

  it('fills ${selection}, ${file}, ${fileContent} and each ${input:…}, asked once', () => {
    const body =
      'Rename ${input:old} to ${input:new:the new name} in ${file}:\n${selection}\n(${input:old} again) ${other}';
    assert.deepEqual(inputsOf(body), [
      { name: 'old', placeholder: undefined },
      { name: 'new', placeholder: 'the new name' },
    ]);
    assert.equal(
      fillPrompt(body, {
        selection: 'let a = 1;',
        file: 'src/a.ts',
        inputs: new Map([
          ['old', 'a'],
          ['new', 'b'],
        ]),
      }),
      'Rename a to b in src/a.ts:\nlet a = 1;\n(a again) ${other}',
    );
    assert.equal(fillPrompt('${selection}$&${file}', { inputs: new Map(), file: '$1' }), '$&$1', 'values are text');
  });
});
