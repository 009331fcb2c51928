/** Drives the code-server workbench in Chromium the way a person does: keyboard, clicks, reading. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, repoRoot, startCodeServer, type CodeServer, type StartOptions } from '../runner/codeServer';

export const screenshotDir = path.join(repoRoot, 'test-results/screenshots');

/** The text lines of editors in the editor area (VS Code 1.139's chat input is a Monaco editor too). */
export const EDITOR_LINES = '.editor-group-container .monaco-editor .view-lines';

export interface Workbench {
  page: Page;
  server: CodeServer;
  /** Runs a command from the palette by its title, as a user types it. */
  runCommand(title: string): Promise<void>;
  /** Saves a screenshot under test-results/screenshots. */
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export async function openWorkbench(options: StartOptions): Promise<Workbench> {
  const server = await startCodeServer(options);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.workbenchUrl());
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.statusbar').waitFor();
    // The workbench has restored and read the extensions' contributions once the GenOS view
    // container is in the activity bar; typing before that can go astray.
    await page
      .locator('.activitybar .action-item [aria-label^="GenOS"], .activitybar .action-label[aria-label^="GenOS"]')
      .first()
      .waitFor({ timeout: 60_000 });
    const opened = browser;
    return {
      page,
      server,
      async runCommand(title) {
        // While the extension host is still starting, the palette may not list the command yet;
        // like a person, close it and look again.
        for (let attempt = 1; ; attempt++) {
          await page.keyboard.press('F1');
          const input = page.locator('.quick-input-widget input');
          await input.waitFor();
          await input.fill(`>${title}`);
          const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
          try {
            await row.waitFor({ timeout: 5000 });
          } catch (error) {
            if (attempt >= 6) throw error;
            await page.keyboard.press('Escape');
            // A webview (a walkthrough's media, the chat) may hold the keyboard: give it back to the workbench.
            await page
              .locator('.statusbar')
              .click({ position: { x: 600, y: 10 } })
              .catch(() => undefined);
            continue;
          }
          await page.keyboard.press('Enter');
          return;
        }
      },
      async screenshot(name) {
        fs.mkdirSync(screenshotDir, { recursive: true });
        const file = path.join(screenshotDir, `${name}.png`);
        // Notifications slide in; the picture is for people, so let every animation finish first.
        await page
          .waitForFunction(
            () => document.getAnimations().every((animation) => animation.playState !== 'running'),
            undefined,
            { timeout: 5000 },
          )
          .catch(() => undefined);
        await page.screenshot({ path: file });
        return file;
      },
      async close() {
        await opened.close();
        await server.stop();
      },
    };
  } catch (error) {
    await browser?.close();
    await server.stop();
    throw error;
  }
}

/** Runs a UI flow; on failure saves a screenshot named after it before rethrowing. */
export async function withFailureScreenshot(
  workbench: Workbench,
  name: string,
  flow: () => Promise<void>,
): Promise<void> {
  try {
    await flow();
  } catch (error) {
    const file = await workbench.screenshot(`FAILED-${name}`).catch(() => 'none');
    throw new Error(`${(error as Error).message}\nscreenshot: ${file}`, { cause: error });
  }
}

/** Sets the access token through the palette's password box, as a user does. */
export async function setTokenFromPalette(workbench: Workbench, token: string): Promise<void> {
  const { page } = workbench;
  await workbench.runCommand('GenOS: Set Access Token');
  const input = page.locator('.quick-input-widget input[type="password"]');
  await input.waitFor();
  await input.fill(token);
  await page.keyboard.press('Enter');
  await page.locator('.notification-toast', { hasText: 'Access token saved' }).waitFor();
  // Dismiss it, so later notifications are the ones on screen.
  await page.keyboard.press('Escape');
}

/** The frame of the GenOS chat webview (webviews live in nested iframes). */
export async function chatFrame(page: Page, timeoutMs = 30_000): Promise<import('playwright-core').Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (
        await frame
          .locator('textarea.input')
          .count()
          .catch(() => 0)
      ) {
        return frame;
      }
    }
    if (Date.now() > deadline) throw new Error('the GenOS chat webview did not appear');
    await page.waitForTimeout(200);
  }
}
