import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  buildMessages,
  extractCode,
  fenceFor,
  rewriteQuestion,
  selectionContext,
  selectionLabel,
  userContent,
  type Selection,
} from '../../../src/client/prompts';

const selection: Selection = {
  code: 'def area(r):\n    return 3.14 * r * r\n',
  language: 'python',
  fileName: 'geometry.py',
  startLine: 10,
  endLine: 11,
  before: 'import math\n',
  after: '\nprint(area(2))',
};

describe('prompts for the editor commands', () => {
  it('labels selections by file and lines', () => {
    assert.equal(selectionLabel(selection), 'geometry.py:10-11');
    assert.equal(selectionLabel({ ...selection, endLine: 10 }), 'geometry.py:10');
  });

  it('sends the selection with its language, file name and surrounding lines', () => {
    const blocks = selectionContext(selection);
    assert.deepEqual(blocks[0], {
      label: 'geometry.py:10-11',
      language: 'python',
      text: selection.code,
      firstLine: 10,
    });
    assert.match(blocks[1].label, /around it in geometry\.py/);
    assert.equal(blocks[1].text, 'import math\n\n<<< the selected code is here >>>\n\nprint(area(2))');
    assert.equal(selectionContext({ ...selection, before: '', after: '' }).length, 1);
  });

  it('asks for code only, with the instruction, or "improve" when there is none', () => {
    const rewriteMessages = (system: string, chosen: Selection, instruction: string) =>
      buildMessages(system, [], rewriteQuestion(chosen, instruction), selectionContext(chosen));
    const messages = rewriteMessages('', selection, 'use math.pi');
    assert.equal(messages.length, 1);
    assert.match(messages[0].content, /```python\ndef area\(r\):/);
    assert.match(messages[0].content, /single fenced code block/);
    assert.match(messages[0].content, /Request: use math\.pi$/);
    assert.match(rewriteMessages('sys', selection, '  ')[1].content, /Request: Improve this code/);
  });
});

describe('extracting code from answers', () => {
  const table: Array<[string, string, string, string]> = [
    [
      'one fenced block with prose around it',
      'Here you go:\n\n```python\ndef area(r):\n    return math.pi * r * r\n```\n\nThis uses math.pi.',
      'x\n',
      'def area(r):\n    return math.pi * r * r\n',
    ],
    ['no fence at all', '  return a + b\n', 'x', 'return a + b'],
    [
      'the longest of several blocks',
      '```\nshort\n```\ntext\n```ts\nconst a = 1;\nconst b = 2;\n```',
      'x',
      'const a = 1;\nconst b = 2;',
    ],
    ['a tilde fence', '~~~js\nlet x = 1;\n~~~', 'x', 'let x = 1;'],
    [
      'an unclosed fence (stream stopped inside it)',
      '```go\nfunc main() {\n\tfmt.Println("hi")',
      'x',
      'func main() {\n\tfmt.Println("hi")',
    ],
    [
      'a think section first',
      '<think>\nlet me see ```not code```\n</think>\n```rust\nfn main() {}\n```',
      'x\n',
      'fn main() {}\n',
    ],
    ['a fence inside the code, with a longer outer fence', '````md\n```\ninner\n```\n````', 'x', '```\ninner\n```'],
    [
      'Korean prose around the code',
      '다음과 같이 바꾸세요:\n```python\nprint("안녕")\n```\n설명 끝.',
      'x',
      'print("안녕")',
    ],
    [
      'a draft fenced inside the thinking is not the answer',
      '<think>\n```\na long draft that is not the answer at all\n```\n</think>\n```rust\nfn main() {}\n```',
      'x',
      'fn main() {}',
    ],
    ['thinking is dropped only at the start', 'keep <think>this</think> text', 'x', 'keep <think>this</think> text'],
    ['thinking right after a word is not at the start', 'note<think>a</think> text', 'x', 'note<think>a</think> text'],
    [
      'thinking after blank lines is at the start',
      '\n\n<think>\n```\na long draft that is not the answer\n```\n</think>\n```\nok\n```',
      'x',
      'ok',
    ],
    ['a fence in the middle of a line does not close a block', '```\na ```\nb\n```', 'x', 'a ```\nb'],
    [
      'a fence with a language inside a block does not close it',
      '````md\ntext\n````js\nmore\n````',
      'x',
      'text\n````js\nmore',
    ],
    ['text right after the thinking is kept', '<think>\nplan it\n</think>done', 'x', 'done'],
    ['a fence in the middle of a line is not a fence', 'use ```inline``` then\n```js\nlet a;\n```', 'x', 'let a;'],
    ['a line that starts with one tilde is not a fence', '~ not a fence\nplain', 'x', '~ not a fence\nplain'],
    ['backticks inside the code do not close the block', '```py\nprint("```")\nmore\n```', 'x', 'print("```")\nmore'],
    ['a longer closing fence closes the block', '```\ncode\n````\nafter', 'x', 'code'],
    ['of two blocks of the same length, the first', '```\nfirst\n```\n```\nlast!\n```', 'x', 'first'],
    ['every trailing blank line goes', '```\ncode\n\n\n```', 'x', 'code'],
  ];
  for (const [name, answer, original, expected] of table) {
    it(name, () => assert.equal(extractCode(answer, original), expected));
  }
});

describe('prompt building', () => {
  const context = [{ label: 'app.py:3-4', language: 'python', text: 'def main():\n    pass' }];

  it('puts context before the question, fenced with the language', () => {
    assert.equal(
      userContent('설명해 주세요', context),
      'app.py:3-4:\n```python\ndef main():\n    pass\n```\n\n설명해 주세요',
    );
    assert.equal(userContent('그냥 질문', []), '그냥 질문');
  });

  it('uses a fence longer than any backticks inside the code', () => {
    assert.equal(fenceFor('no ticks'), '```');
    assert.equal(fenceFor('md with ``` inside'), '````');
  });

  it('sends the system prompt first, then answered turns, then the question', () => {
    const messages = buildMessages(
      '시스템',
      [
        { question: 'q1', context: [], answer: 'a1' },
        { question: 'failed', context: [], answer: '' },
      ],
      'q2',
      context,
    );
    assert.deepEqual(
      messages.map((m) => m.role),
      ['system', 'user', 'assistant', 'user'],
    );
    assert.equal(messages[1].content, 'q1');
    assert.match(messages[3].content, /q2$/);
    assert.deepEqual(buildMessages('  ', [], 'q', []), [{ role: 'user', content: 'q' }]);
  });

  it('sends an answer given only as reasoning, as the model gave it', () => {
    const messages = buildMessages(
      '',
      [
        { question: 'q1', context: [], answer: '', reasoning: 'thought it through' },
        { question: 'failed', context: [], answer: '', reasoning: '' },
      ],
      'q2',
      [],
    );
    assert.deepEqual(messages, [
      { role: 'user', content: 'q1' },
      { role: 'assistant', content: 'thought it through' },
      { role: 'user', content: 'q2' },
    ]);
  });
});
