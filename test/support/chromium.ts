/**
 * Chromium for the browser, explorer and example tests: Debian's chromium
 * driven by playwright-core, as test/browser/ does. Without it the suites are
 * skipped with a message, unless CI is set: then a test fails.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CI } from './ci.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export { CI };
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

export function chromiumSkipMessage(area: string): void {
  if (!HAVE_CHROMIUM && !CI) {
    console.warn(`[${area}] SKIPPED: ${CHROMIUM} not found. Install Debian's chromium or set CHROMIUM_PATH; with CI=true this is a failure.`);
  }
}

export interface LaunchedChromium {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<LaunchedChromium> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'tee-attest-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
    timeout: 30_000,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
