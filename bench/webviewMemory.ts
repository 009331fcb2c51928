/** The webview's JS heap after a 50-turn conversation with code blocks, and after clearing it. */
import type { Browser, CDPSession } from 'playwright-core';
import { init, openWebview } from '../test/webview/harness';
import { longAnswer } from './answer';

export interface MemoryFigures {
  baselineMB: number;
  fiftyTurnsMB: number;
  clearedMB: number;
}

async function heapMB(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number };
  return usedSize / 2 ** 20;
}

export async function measureMemory(browser: Browser, turns = 50): Promise<MemoryFigures> {
  const view = await openWebview(browser);
  const cdp = await view.page.context().newCDPSession(view.page);
  await view.host(init());
  const answer = longAnswer(4_000);
  const addTurn = async (id: string, question: string) => {
    await view.host({
      type: 'turnStarted',
      turn: { id, question, context: [], answer: '', reasoning: '', status: 'streaming' },
    });
    await view.page.evaluate(
      (a) => {
        for (let j = 0; j < a.text.length; j += 60) {
          window.dispatchEvent(
            new MessageEvent('message', {
              data: { type: 'delta', requestId: a.id, content: a.text.slice(j, j + 60), reasoning: '' },
            }),
          );
        }
      },
      { id, text: answer },
    );
    await view.host({
      type: 'turnDone',
      requestId: id,
      status: 'done',
      usage: { promptTokens: 100, completionTokens: 900, totalTokens: 1000 },
    });
  };
  // The baseline is a panel that has rendered once (compiled code and highlighting grammars are a
  // fixed cost, not the conversation's) and was cleared.
  await addTurn('warm', 'warm-up');
  await view.host(init());
  await view.page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 1200)));
  const baselineMB = await heapMB(cdp);
  for (let i = 0; i < turns; i++) {
    await addTurn(`m${i}`, `질문 ${i}: 파일을 어떻게 읽나요?`);
  }
  await view.page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 1200)));
  const fiftyTurnsMB = await heapMB(cdp);
  // What New Chat does: the host sends an empty state.
  await view.host(init());
  await view.page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 1200)));
  const clearedMB = await heapMB(cdp);
  await view.page.close();
  return { baselineMB, fiftyTurnsMB, clearedMB };
}
