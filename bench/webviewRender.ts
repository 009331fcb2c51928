/**
 * Streaming render cost in the real webview bundle, in headless Chromium: a long markdown answer
 * streamed in 3-character deltas, against rendering the same answer once, in the same browser.
 */
import type { Browser, CDPSession, Page } from 'playwright-core';
import { init, openWebview } from '../test/webview/harness';

export interface RenderFigures {
  scriptMs: number;
  longestTaskMs: number;
  mutations: number;
  wallMs: number;
}

async function scriptSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
  return metrics.find((m) => m.name === 'ScriptDuration')?.value ?? 0;
}

/** The longest task on the renderer's main thread in a trace, in ms. */
function longestTask(trace: Buffer): number {
  const { traceEvents } = JSON.parse(trace.toString('utf8')) as { traceEvents: Array<{ name: string; ph: string; dur?: number; pid: number; tid: number; args?: { name?: string } }> };
  const main = traceEvents.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  let longest = 0;
  for (const e of traceEvents) {
    if ((e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') && e.ph === 'X' && e.dur && (!main || (e.pid === main.pid && e.tid === main.tid))) longest = Math.max(longest, e.dur / 1000);
  }
  return longest;
}

async function prepare(browser: Browser): Promise<{ page: Page; cdp: CDPSession }> {
  const view = await openWebview(browser);
  await view.host(init());
  await view.host({ type: 'turnStarted', turn: { id: 'b1', question: 'bench', context: [], answer: '', reasoning: '', status: 'streaming' } });
  const cdp = await view.page.context().newCDPSession(view.page);
  await cdp.send('Performance.enable');
  // A user types before an answer arrives: let the panel's idle-time work finish, as it would.
  await view.page.evaluate(() => new Promise<void>((resolve) => {
    let idle = 0;
    const wait = () => requestIdleCallback((deadline) => (deadline.timeRemaining() > 40 || ++idle > 20 ? resolve() : wait()));
    wait();
  }));
  return { page: view.page, cdp };
}

/** Runs `drive` in the page and measures it. */
async function measure(browser: Browser, answer: string, drive: (page: Page, answer: string) => Promise<void>): Promise<RenderFigures> {
  const { page, cdp } = await prepare(browser);
  // The driver's own preparation (cutting the answer into deltas) happens before measuring.
  await page.evaluate((t) => {
    const deltas: string[] = [];
    for (let i = 0; i < t.length; i += 3) deltas.push(t.slice(i, i + 3));
    (window as unknown as { __deltas: string[] }).__deltas = deltas;
  }, answer);
  await page.evaluate(() => {
    const w = window as unknown as { __mutations: number };
    w.__mutations = 0;
    new MutationObserver((records) => (w.__mutations += records.length)).observe(document.querySelector('.turn .content') as Node, { childList: true, subtree: true, characterData: true });
  });
  await browser.startTracing(page, { categories: ['devtools.timeline', 'toplevel'] });
  const before = await scriptSeconds(cdp);
  const started = Date.now();
  await drive(page, answer);
  // Wait for the last frame to render.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const wallMs = Date.now() - started;
  const scriptMs = ((await scriptSeconds(cdp)) - before) * 1000;
  const trace = await browser.stopTracing();
  const mutations = await page.evaluate(() => (window as unknown as { __mutations: number }).__mutations);
  const rendered = await page.evaluate(() => (document.querySelector('.turn .content') as HTMLElement).textContent?.length ?? 0);
  await page.close();
  if (rendered < answer.length / 2) throw new Error(`only ${rendered} characters rendered`);
  return { scriptMs, longestTaskMs: longestTask(trace), mutations, wallMs };
}

/** The whole answer as one message, rendered once. */
export function renderOnce(browser: Browser, answer: string): Promise<RenderFigures> {
  return measure(browser, answer, async (page, text) => {
    await page.evaluate((t) => window.dispatchEvent(new MessageEvent('message', { data: { type: 'delta', requestId: 'b1', content: t, reasoning: '' } })), text);
  });
}

/**
 * The answer in 3-character deltas, each its own message (no coalescing on the host's side), 40
 * of them every 4 ms: about 30 KB/s, faster than any model streams.
 */
export function renderStreamed(browser: Browser, answer: string): Promise<RenderFigures> {
  return measure(browser, answer, async (page) => {
    await page.evaluate(async () => {
      const deltas = (window as unknown as { __deltas: string[] }).__deltas;
      for (let i = 0; i < deltas.length; i += 40) {
        for (const content of deltas.slice(i, i + 40)) window.dispatchEvent(new MessageEvent('message', { data: { type: 'delta', requestId: 'b1', content, reasoning: '' } }));
        await new Promise((resolve) => setTimeout(resolve, 4));
      }
    });
  });
}
