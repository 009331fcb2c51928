import * as fs from 'node:fs';
/**
 * Streaming render cost in the real webview bundle, in headless Chromium: a long markdown answer
 * streamed in 3-character deltas, against rendering the same answer once, in the same browser.
 */
import type { Browser, CDPSession, Page } from 'playwright-core';
import type { TurnView } from '../src/shared/protocol';
import { init, openWebview } from '../test/webview/harness';

export interface RenderFigures {
  scriptMs: number;
  /**
   * Of `scriptMs`, what the bench's own delivery of the messages cost: measured in the same page
   * just before, by delivering them to a request the panel does not have (it drops each after one
   * look-up). In VS Code the browser delivers them, outside the panel's script.
   */
  driverMs: number;
  longestTaskMs: number;
  mutations: number;
  wallMs: number;
}

async function scriptSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
  return metrics.find((m) => m.name === 'ScriptDuration')?.value ?? 0;
}

/**
 * Tasks only (a long run's full timeline is hundreds of MB, which the browser's connection did not
 * always survive); with GENOS_BENCH_TRACE set, the full timeline, to see what a long task was.
 */
const TRACE_CATEGORIES = process.env.GENOS_BENCH_TRACE ? ['devtools.timeline', 'toplevel'] : ['toplevel'];

/** The longest task on the renderer's main thread in a trace, in ms. */
function longestTask(trace: Buffer): number {
  // GENOS_BENCH_TRACE=/path/prefix keeps each trace, to see what a long task was made of.
  if (process.env.GENOS_BENCH_TRACE) fs.writeFileSync(`${process.env.GENOS_BENCH_TRACE}-${Date.now()}.json`, trace);
  const { traceEvents } = JSON.parse(trace.toString('utf8')) as {
    traceEvents: Array<{ name: string; ph: string; dur?: number; pid: number; tid: number; args?: { name?: string } }>;
  };
  const main = traceEvents.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  let longest = 0;
  for (const e of traceEvents) {
    if (
      (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') &&
      e.ph === 'X' &&
      e.dur &&
      (!main || (e.pid === main.pid && e.tid === main.tid))
    ) {
      longest = Math.max(longest, e.dur / 1000);
    }
  }
  return longest;
}

async function prepare(browser: Browser): Promise<{ page: Page; cdp: CDPSession }> {
  const view = await openWebview(browser);
  await view.host(init());
  await view.host({
    type: 'turnStarted',
    turn: { id: 'b1', question: 'bench', context: [], answer: '', reasoning: '', status: 'streaming' },
  });
  const cdp = await view.page.context().newCDPSession(view.page);
  await cdp.send('Performance.enable');
  // A user types before an answer arrives: let the panel's idle-time work finish, as it would.
  await view.page.waitForFunction(() => document.documentElement.hasAttribute('data-warm'));
  return { page: view.page, cdp };
}

/** Waits until no rendering work is left, and the frame after it has run. */
function settled(page: Page): Promise<unknown> {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        const check = () =>
          document.querySelector('[data-pending], [data-highlighting]')
            ? requestAnimationFrame(check)
            : requestAnimationFrame(resolve);
        requestAnimationFrame(check);
      }),
  );
}

/** The answer cut into 3-character deltas, put in the page before measuring (the driver's own work). */
function loadDeltas(page: Page, answer: string): Promise<void> {
  return page.evaluate((t) => {
    const deltas: string[] = [];
    for (let i = 0; i < t.length; i += 3) deltas.push(t.slice(i, i + 3));
    (window as unknown as { __deltas: string[] }).__deltas = deltas;
  }, answer);
}

/** Runs `drive` in the page and measures it; `drive` given another request id measures the driver alone. */
async function measure(
  browser: Browser,
  answer: string,
  drive: (page: Page, answer: string, requestId: string) => Promise<void>,
): Promise<RenderFigures> {
  const { page, cdp } = await prepare(browser);
  await loadDeltas(page, answer);
  const driverBefore = await scriptSeconds(cdp);
  await drive(page, answer, 'not-shown');
  await settled(page);
  const driverMs = ((await scriptSeconds(cdp)) - driverBefore) * 1000;
  await page.evaluate(() => {
    const w = window as unknown as { __mutations: number };
    w.__mutations = 0;
    new MutationObserver((records) => (w.__mutations += records.length)).observe(
      document.querySelector('.turn .content') as Node,
      { childList: true, subtree: true, characterData: true },
    );
  });
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  const before = await scriptSeconds(cdp);
  const started = Date.now();
  await drive(page, answer, 'b1');
  await settled(page);
  const wallMs = Date.now() - started;
  const scriptMs = ((await scriptSeconds(cdp)) - before) * 1000;
  const trace = await browser.stopTracing();
  const mutations = await page.evaluate(() => (window as unknown as { __mutations: number }).__mutations);
  const rendered = await page.evaluate(
    () => (document.querySelector('.turn .content') as HTMLElement).textContent?.length ?? 0,
  );
  await page.close();
  if (rendered < answer.length / 2) throw new Error(`only ${rendered} characters rendered`);
  return { scriptMs, driverMs, longestTaskMs: longestTask(trace), mutations, wallMs };
}

/** The whole answer as one message, rendered once. */
export function renderOnce(browser: Browser, answer: string): Promise<RenderFigures> {
  return measure(browser, answer, async (page, text, requestId) => {
    await page.evaluate(
      ([t, id]) =>
        window.dispatchEvent(
          new MessageEvent('message', { data: { type: 'delta', requestId: id, content: t, reasoning: '' } }),
        ),
      [text, requestId],
    );
  });
}

/**
 * The answer in 3-character deltas, each its own message (no coalescing on the host's side), 40
 * of them every 4 ms: about 30 KB/s, faster than any model streams.
 */
export function renderStreamed(browser: Browser, answer: string): Promise<RenderFigures> {
  return measure(browser, answer, async (page, _text, requestId) => {
    await page.evaluate(async (id) => {
      const deltas = (window as unknown as { __deltas: string[] }).__deltas;
      for (let i = 0; i < deltas.length; i += 40) {
        for (const content of deltas.slice(i, i + 40)) {
          window.dispatchEvent(
            new MessageEvent('message', { data: { type: 'delta', requestId: id, content, reasoning: '' } }),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 4));
      }
    }, requestId);
  });
}

export interface GrowthFigures {
  longestTaskMs: number;
  /** Scripting per KB streamed over the first and the last tenth of the answer. */
  startMsPerKb: number;
  endMsPerKb: number;
}

/**
 * Whether streaming costs more as the answer grows: `answer` (one long code block, list or table, in
 * the bench) in 3-character deltas, 100 every 4 ms; scripting per KB over its first tenth and its
 * last. At least `shown` of its characters must be on screen at the end (markup is not).
 */
export async function streamGrowth(browser: Browser, answer: string, shown: number): Promise<GrowthFigures> {
  const { page, cdp } = await prepare(browser);
  await loadDeltas(page, answer);
  const stream = (from: number, to: number) =>
    page.evaluate(
      async ([a, b]) => {
        const deltas = (window as unknown as { __deltas: string[] }).__deltas;
        for (let i = a; i < b; i += 100) {
          for (const content of deltas.slice(i, Math.min(i + 100, b))) {
            window.dispatchEvent(
              new MessageEvent('message', { data: { type: 'delta', requestId: 'b1', content, reasoning: '' } }),
            );
          }
          await new Promise((resolve) => setTimeout(resolve, 4));
        }
      },
      [from, to],
    );
  const count = Math.ceil(answer.length / 3);
  const tenth = Math.floor(count / 10);
  const measured = async (from: number, to: number) => {
    const before = await scriptSeconds(cdp);
    await stream(from, to);
    await settled(page);
    return (((await scriptSeconds(cdp)) - before) * 1000) / (Buffer.byteLength(answer.slice(from * 3, to * 3)) / 1024);
  };
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  const startMsPerKb = await measured(0, tenth);
  await stream(tenth, count - tenth);
  await settled(page);
  const endMsPerKb = await measured(count - tenth, count);
  const trace = await browser.stopTracing();
  const rendered = await page.evaluate(
    () => (document.querySelector('.turn .content') as HTMLElement).textContent?.length ?? 0,
  );
  await page.close();
  if (rendered < answer.length * shown) throw new Error(`only ${rendered} characters rendered`);
  return { longestTaskMs: longestTask(trace), startMsPerKb, endMsPerKb };
}

export interface ReopenFigures {
  longestTaskMs: number;
  /** Conversation handed to the panel -> its newest turn fully rendered. */
  firstTurnMs: number;
  /** Conversation handed to the panel -> every turn rendered. */
  allMs: number;
}

/** A saved conversation handed to a fresh panel, as when it is reopened from History. */
export async function reopen(browser: Browser, turns: TurnView[]): Promise<ReopenFigures> {
  const view = await openWebview(browser);
  const page = view.page;
  // The conversation is in the page before measuring: handing it over is the harness's cost.
  await page.evaluate((message) => ((window as unknown as { __reopen: unknown }).__reopen = message), init({ turns }));
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  const times = await page.evaluate(
    () =>
      new Promise<{ first: number; all: number }>((resolve) => {
        const started = performance.now();
        let first = Number.NaN;
        const check = () => {
          const turns = document.querySelectorAll('.turn');
          const newest = turns[turns.length - 1]?.querySelector('.content');
          if (Number.isNaN(first) && newest && !newest.hasAttribute('data-pending')) {
            first = performance.now() - started;
          }
          if (turns.length > 0 && !document.querySelector('[data-pending], [data-highlighting]')) {
            resolve({ first, all: performance.now() - started });
          } else requestAnimationFrame(check);
        };
        window.dispatchEvent(
          new MessageEvent('message', { data: (window as unknown as { __reopen: unknown }).__reopen }),
        );
        requestAnimationFrame(check);
      }),
  );
  const trace = await browser.stopTracing();
  const text = await page.evaluate(() => document.querySelector('.log')?.textContent?.length ?? 0);
  await page.close();
  const expected = turns.reduce((sum, turn) => sum + turn.answer.length, 0);
  if (text < expected * 0.9) throw new Error(`only ${text} of ${expected} characters rendered`);
  return { longestTaskMs: longestTask(trace), firstTurnMs: times.first, allMs: times.all };
}
