/**
 * Edges of fitting a model's completion at the cursor, and of the prompt formats: each case is a
 * rule of `fitCompletion` or `buildCompletionPrompt` that completion.test.ts shows working in the
 * common case and that these hold in place.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { fitCompletion } from '../../../src/client/completion';
import { buildCompletionPrompt, formatForModel, PROMPT_FORMATS, type CursorContext } from '../../../src/client/prompts';
import { repoRoot } from '../../support/l10n';

const context = (prefix: string, suffix: string): Pick<CursorContext, 'prefix' | 'suffix'> => ({ prefix, suffix });

describe('fitting a completion at the cursor, at the edges', () => {
  const table: Array<[string, string, Pick<CursorContext, 'prefix' | 'suffix'>, boolean, string]> = [
    ["a fence only at the start is the chat format's", 'print(1) ```\nfoo', context('', ''), true, 'print(1) ```\nfoo'],
    ['an indented opening fence', '  ```py\ncode\n```', context('', ''), true, 'code'],
    ['an unclosed fence', '```py\ncode', context('', ''), true, 'code'],
    ['a closing fence followed by blank lines', '```\ncode\n```\n\n', context('', ''), true, 'code'],
    ['trailing spaces on the line are kept', 'return x  ', context('', ''), false, 'return x  '],
    ['blank lines of the suffix do not hide the line it repeats', 'foo\n}', context('', '\n\n   \n}'), true, 'foo'],
    ['a completion that is only the next line is kept', '}', context('', '\n}'), true, '}'],
    ['an indented repeat of the next line goes', 'a\n  }', context('', '\n}'), true, 'a'],
    ['the next line indented in the suffix', 'a\n}', context('', '\n  }'), true, 'a'],
    ['only when every repeated line matches', 'a\nb\n}', context('', '\nx\n}'), true, 'a\nb\n}'],
    ['closers after a space on the line', 'bar)', context('foo(', ' )'), false, 'bar'],
    ["the rest of the cursor's line is not a following line", 'a\n)', context('', ')'), true, 'a\n'],
    ['closers cut from the last line of several', 'a\nbar)', context('foo(', ')'), true, 'a\nbar'],
    ['closers before trailing spaces of the completion', 'bar)  ', context('foo(', ')'), false, 'bar'],
    ['nothing is cut when no closer is repeated', 'bar  ', context('', ';'), false, 'bar  '],
    ['a completion of only a repeated closer and a space is nothing', ' )', context('f(', ')'), false, ''],
    ['a square bracket it does not open', 'x]', context('a[', ']'), false, 'x'],
    ['a brace it does not open', 'x}', context('a{', '}'), false, 'x'],
    ['paired quotes are not a repeated closer', 'a "b"', context('x = "', '"'), false, 'a "b"'],
    ['an unpaired quote is', 'hi"', context('print("', '")'), false, 'hi'],
  ];
  for (const [name, text, around, multiline, expected] of table) {
    it(name, () => assert.equal(fitCompletion(text, around, multiline), expected));
  }
});

describe('prompt formats, at the edges', () => {
  it('lists the formats the setting offers', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      contributes: {
        configuration:
          | Array<{ properties: Record<string, { enum?: string[] }> }>
          | { properties: Record<string, { enum?: string[] }> };
      };
    };
    const sections = Array.isArray(manifest.contributes.configuration)
      ? manifest.contributes.configuration
      : [manifest.contributes.configuration];
    const setting = sections.map((section) => section.properties['genos.completion.promptFormat']).find(Boolean);
    assert.deepEqual([...PROMPT_FORMATS], ['auto', 'qwen', 'deepseek', 'starcoder', 'codellama', 'codestral', 'chat']);
    assert.deepEqual(setting?.enum, [...PROMPT_FORMATS]);
  });

  it('knows StableCode with or without its hyphen', () => {
    assert.equal(formatForModel('stabilityai/stablecode-completion-alpha-3b'), 'starcoder');
    assert.equal(formatForModel('stable-code-3b'), 'starcoder');
  });

  it('asks a chat model in these words, with no stop words', () => {
    const prompt = buildCompletionPrompt('chat', 'any', {
      prefix: 'a = ',
      suffix: '\n',
      path: 'src/a.py',
      language: 'python',
    });
    assert.deepEqual(prompt, {
      format: 'chat',
      messages: [
        {
          role: 'system',
          content:
            'You complete code. Reply with only the text that belongs at <CURSOR>: no explanation, no code fence, nothing that is already before or after it. Reply with nothing if nothing fits.',
        },
        { role: 'user', content: 'File src/a.py (python):\na = <CURSOR>\n' },
      ],
      stop: [],
    });
  });
});
