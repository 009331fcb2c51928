/**
 * The webview's markdown module alone, bundled as the panel bundles it and run in Chromium: what
 * the highlighter's markup check lets through, and what the sanitizer hands back.
 */
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildSync } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, repoRoot } from '../runner/codeServer';

type Markdown = typeof import('../../src/webview/markdown');
type TestWindow = Window & { markdown: Markdown; __ran?: number };

let browser: Browser;
let page: Page;
before(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
  const bundle = buildSync({
    entryPoints: [path.join(repoRoot, 'src/webview/markdown.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'markdown',
    write: false,
    logLevel: 'silent',
  });
  await page.setContent('<!DOCTYPE html><html><body></body></html>');
  await page.addScriptTag({ content: bundle.outputFiles[0].text });
});
after(() => browser.close());

/** Each markup through the span check: undefined when refused, else the nodes as HTML. */
function checked(markups: string[]): Promise<Array<string | undefined>> {
  return page.evaluate((list) => {
    const { onlySpans } = (window as unknown as TestWindow).markdown;
    return list.map((html) => {
      const nodes = onlySpans(html);
      if (!nodes) return undefined;
      const holder = document.createElement('div');
      holder.append(nodes);
      return holder.innerHTML;
    });
  }, markups);
}

describe('the webview markdown module in a real browser', () => {
  it('takes text and class-only spans from the highlighter, and refuses any other markup', async () => {
    const accepted = [
      'plain &lt;b&gt; text',
      '<span class="hljs-keyword">const</span> a',
      '<span class="hljs-title function_"><span class="hljs-params">x</span></span>',
    ];
    assert.deepEqual(await checked(accepted), accepted);
    const refused = [
      '<img src="x" onerror="window.__ran=1">',
      '<span class="a" onclick="window.__ran=2">x</span>',
      '<span style="color:red">x</span>',
      '<b>bold</b>',
      '<span class="a"><script>window.__ran=3</script></span>',
      '<svg><span class="a">x</span></svg>',
      '<a href="javascript:window.__ran=4">x</a>',
      '<span class="a" id="x">x</span>',
      "<span class='a'>x</span>",
      '<span class="a" >x</span>',
      '<span class="a">x</span><!-- c -->',
      '<span class="a"></span><span class="b"><style>*{}</style></span>',
    ];
    assert.deepEqual(
      await checked(refused),
      refused.map(() => undefined),
    );
    // Parsed in an inert template, the image never loads: an image made in the page, whose error
    // handler has run, shows that a handler would have had its chance.
    await page.evaluate(
      () =>
        new Promise((resolve) => {
          const control = document.createElement('img');
          control.onerror = resolve;
          control.src = 'x';
        }),
    );
    assert.equal(await page.evaluate(() => (window as unknown as TestWindow).__ran), undefined);
  });

  it('highlights code as spans, says when it ends inside a comment, and has no highlighter for unknown languages', async () => {
    const results = await page.evaluate(() => {
      const { highlightCode } = (window as unknown as TestWindow).markdown;
      const show = (code: string, language: string) => {
        const result = highlightCode(code, language);
        if (!result) return undefined;
        const holder = document.createElement('div');
        holder.append(result.nodes);
        return { html: holder.innerHTML, open: result.open };
      };
      return [
        show('const a = "<img src=x onerror=alert(1)>";\n', 'typescript'),
        show('/* a comment\nthat goes on', 'typescript'),
        show('x = 1', 'cobol'),
        show('x = 1', ''),
      ];
    });
    assert.equal(results[0]?.open, false);
    assert.match(
      results[0]?.html ?? '',
      /^<span class="hljs-keyword">const<\/span> a = <span class="hljs-string">"&lt;img src=x onerror=alert\(1\)&gt;"<\/span>;\n$/,
    );
    assert.equal(results[1]?.open, true);
    assert.match(results[1]?.html ?? '', /^<span class="hljs-comment">/);
    assert.deepEqual(results.slice(2), [undefined, undefined]);
  });

  it('renders markdown to sanitized nodes: links kept, script and handlers gone, raw HTML as text', async () => {
    const html = await page.evaluate(() => {
      const { renderMarkdown } = (window as unknown as TestWindow).markdown;
      const holder = document.createElement('div');
      holder.append(
        renderMarkdown('**b** [l](https://example.com) [j](javascript:alert(1)) <img src=x onerror=alert(1)>'),
      );
      return holder.innerHTML;
    });
    assert.equal(
      html,
      '<p><strong>b</strong> <a href="https://example.com">l</a> [j](javascript:alert(1)) &lt;img src=x onerror=alert(1)&gt;</p>\n',
    );
  });

  it('renders fenced code highlighted for a known language, plain otherwise, whatever the info string holds', async () => {
    const html = await page.evaluate(() => {
      const { renderMarkdown } = (window as unknown as TestWindow).markdown;
      const holder = document.createElement('div');
      holder.append(
        renderMarkdown(
          '```Python title="a.py"\ndef f(): pass  # <b>\n```\n\n```"><img src=x onerror=alert(1)>\nx\n```\n\n```cobol\nMOVE A\n```',
        ),
      );
      return holder.innerHTML;
    });
    assert.equal(
      html,
      '<pre class="hljs"><code class="language-python"><span class="hljs-keyword">def</span> <span class="hljs-title function_">f</span>(): <span class="hljs-keyword">pass</span>  <span class="hljs-comment"># &lt;b&gt;</span>\n</code></pre>\n' +
        '<pre class="hljs"><code>x\n</code></pre>\n<pre class="hljs"><code>MOVE A\n</code></pre>\n',
    );
  });
});
