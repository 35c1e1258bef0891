/**
 * Issue #16, quote explorer: the page built by explorer/build.mjs (one
 * self-contained HTML file) opened from file:// in Debian's Chromium, offline.
 * Expected values come from the vectors' manifests (vectors/dcap/README.md,
 * vectors/dcap/dcap-qvl/MANIFEST.md, vectors/samples.json), not from our output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { buildExplorer, loadSamples, type ExplorerSample } from '../../explorer/build.mjs';
import { startFakePcs } from '../examples/fake-pcs.js';
import { CHROMIUM, CI, HAVE_CHROMIUM, chromiumSkipMessage, launchChromium, type LaunchedChromium } from '../support/chromium.js';

chromiumSkipMessage('test/explorer');

// dcap-qvl MANIFEST.md, tdx_quote: "Derived: mr_td = 91eb…18b7", UpToDate []; module TDX_01; td_attributes 0000001000000000.
const TDX_MRTD = '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7';
const TDX_AT = 1752919234;
// dcap-qvl MANIFEST.md, near quote: mr_td.
const NEAR_MRTD = 'f06dfda6dce1cf904d4e2bab1dc370634cf95cefa2ceb2de2eee127c9382698090d7a4a13e14c536ec6c9c3c8fa87077';

if (!HAVE_CHROMIUM && CI) {
  it('Chromium is installed (required when CI is set)', () => {
    throw new Error(`CI is set and ${CHROMIUM} is missing: install Debian's chromium before npm test`);
  });
}

describe.skipIf(!HAVE_CHROMIUM)('quote explorer in real Chromium (file://, offline)', () => {
  let outDir: string;
  let url: string;
  let browser: LaunchedChromium;
  let page: Page;
  const samples: ExplorerSample[] = loadSamples();
  const pageErrors: string[] = [];
  const requested: string[] = [];

  const sampleIndex = (quote: string, collateralHint?: string): number => {
    const i = samples.findIndex((s) => s.name.includes(quote) && (collateralHint === undefined || s.name.includes(collateralHint)));
    expect(i, quote).toBeGreaterThanOrEqual(0);
    return i;
  };
  const field = (section: string, name: string) => page.locator(`[data-testid=${section}] tr[data-field="${name}"] code.hex`).first();

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'tee-attest-explorer-'));
    url = pathToFileURL(await buildExplorer(outDir)).href;
    browser = await launchChromium();
    // Offline: anything but the page file itself is refused and recorded.
    await browser.context.route('**/*', (route) => (route.request().url().startsWith('file:') ? route.continue() : route.abort()));
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on('request', (r) => requested.push(r.url()));
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
    await page.goto(url);
    await page.waitForSelector('body[data-ready]');
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('is one self-contained file with a useful empty state and every bundled sample', async () => {
    const html = readFileSync(new URL(url), 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
    expect(await page.locator('#empty').isVisible()).toBe(true);
    expect(await page.locator('#empty h1').innerText()).toMatch(/quote/i);
    // vectors/samples.json (npm start) plus the tdx_quote with its collateral/ bundle.
    const manifest = JSON.parse(readFileSync('vectors/samples.json', 'utf8')) as { samples: { name: string }[] };
    expect(samples.length).toBe(manifest.samples.length + 1);
    expect(await page.locator('.samples.big .sample').count()).toBe(samples.length);
  });

  it('TDX sample: UpToDate, the MRTD of the manifest, every check passed, TDX_01 module level', async () => {
    await page.locator(`.samples.big [data-sample="${sampleIndex('tdx_quote (TDX v4')}"]`).click();
    await page.waitForSelector('[data-testid=verdict][data-verdict="UpToDate"]');
    expect(await page.locator('[data-testid=status]').innerText()).toBe('UpToDate');
    expect(await field('body', 'MRTD').getAttribute('data-hex')).toBe(TDX_MRTD);
    expect(await field('body', 'TDATTRIBUTES').getAttribute('data-hex')).toBe('0000001000000000');
    expect(await page.locator('[data-testid=body] tr[data-field="TDATTRIBUTES"]').innerText()).toContain('SEPT_VE_DISABLE');
    const states = await page.locator('[data-testid=checks] li').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.state));
    expect(states.length).toBeGreaterThanOrEqual(15);
    expect(new Set(states)).toEqual(new Set(['pass']));
    expect(await page.locator('[data-testid=tcb] tr[data-field="TDX module level"]').innerText()).toContain('TDX_01');
    expect(await page.locator('[data-testid=tcb-levels] tr[data-matched]').count()).toBe(1);
    // The PCK chain from the quote: leaf, PCK CA, root.
    expect(await page.locator('#chain [data-testid=cert]').count()).toBe(3);
    expect(await page.locator('#chain [data-testid=cert]').last().innerText()).toContain('CN=Intel SGX Root CA');
    // The top certificate carries the pinned Intel root key (src/verify/root.ts).
    expect(await page.locator('#chain [data-testid=cert]').last().locator('[data-pinned]').getAttribute('data-pinned')).toBe('true');
  });

  it('SGX sample: ConfigurationAndSWHardeningNeeded with INTEL-SA-00289 and INTEL-SA-00615 on the matched level', async () => {
    await page.locator(`.samples [data-sample="${sampleIndex('sgx_quote')}"]`).first().click();
    await page.waitForSelector('[data-testid=verdict][data-verdict="ConfigurationAndSWHardeningNeeded"]');
    const verdictAdvisories = await page.locator('[data-testid=verdict] [data-advisory]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.advisory));
    expect(verdictAdvisories).toEqual(['INTEL-SA-00289', 'INTEL-SA-00615']);
    const matched = page.locator('[data-testid=tcb-levels] tr[data-matched]');
    expect(await matched.locator('[data-advisory]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.advisory))).toEqual(['INTEL-SA-00289', 'INTEL-SA-00615']);
    expect(await matched.locator('[data-status]').getAttribute('data-status')).toBe('ConfigurationAndSWHardeningNeeded');
    // MANIFEST: mr_enclave 33d8736d…452fbb; report_data starts with "Hello, world!".
    const mrenclave = (await field('body', 'MRENCLAVE').getAttribute('data-hex'))!;
    expect(mrenclave.startsWith('33d8736d')).toBe(true);
    expect(mrenclave.endsWith('452fbb')).toBe(true);
    expect(await page.locator('[data-testid=body] tr[data-field="REPORTDATA"]').innerText()).toContain('Hello, world!');
    expect(await page.locator('[data-check="tdxModule.signer"]').getAttribute('data-state')).toBe('not-applicable');
  });

  it('every sample shows the verdict its manifest expects; failures name the step where Intel’s order stops', async () => {
    // Which step each expected error belongs to (Intel QVL order, 4.1.2.5): the manifests say why.
    const failingStep: Record<string, string> = {
      TcbNotSupported: 'tcb.evaluate', // PCK components below every TCB level
      TdxModuleMismatch: 'tdxModule.signer', // TEE_TCB_SVN[1] = 0xC1, no tdxModuleIdentities (4.1.2.5.12)
    };
    for (const [i, s] of samples.entries()) {
      // Back to the empty state first, so a verdict seen below is this sample's.
      await page.locator('#clear').click();
      await page.waitForSelector('[data-testid=verdict]', { state: 'detached' });
      await page.locator(`.samples.big [data-sample="${i}"]`).click();
      if (s.expect.error) {
        await page.waitForSelector(`[data-testid=verdict][data-verdict="error"][data-code="${s.expect.error}"]`);
        const failed = await page.locator('[data-testid=checks] li[data-state="fail"]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.check));
        expect(failed, s.name).toEqual([failingStep[s.expect.error]]);
        // The Intel QVL sample chains to its own test root: the page says it is not the pinned key.
        if (s.rootPem) expect(await page.locator('#chain [data-testid=cert] [data-pinned]').getAttribute('data-pinned')).toBe('false');
        const after = await page.locator('[data-testid=checks] li[data-state="fail"] ~ li').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.state));
        expect(new Set(after), s.name).toEqual(new Set(after.length ? ['not-reached'] : []));
      } else {
        await page.waitForSelector(`[data-testid=verdict][data-verdict="${s.expect.status}"]`);
        const ids = await page.locator('[data-testid=verdict] [data-advisory]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.advisory));
        expect(ids, s.name).toEqual(s.expect.advisoryIds ?? []);
        if (s.name.includes('near')) expect(await field('body', 'MRTD').getAttribute('data-hex')).toBe(NEAR_MRTD);
      }
    }
  });

  it('a pasted base64 quote parses without collateral, then verifies with pasted collateral', async () => {
    await page.locator('#clear').click();
    const quote = readFileSync('vectors/dcap/dcap-qvl/tdx_quote');
    await page.locator('#quote-text').fill(quote.toString('base64'));
    await page.waitForSelector('[data-testid=verdict][data-verdict="parsed"]');
    expect(await field('body', 'MRTD').getAttribute('data-hex')).toBe(TDX_MRTD);
    expect(await page.locator('[data-testid=header] tr[data-field="QE Vendor ID"] code.hex').getAttribute('data-hex')).toBe('939a7233f79c4ca9940a0db3957f0607');
    await page.locator('#collateral-text').fill(readFileSync('vectors/dcap/dcap-qvl/tdx_quote_collateral.json', 'utf8'));
    await page.locator('#at').fill(String(TDX_AT));
    await page.locator('#verify').click();
    await page.waitForSelector('[data-testid=verdict][data-verdict="UpToDate"]');
  });

  it('a tampered quote (one MRTD bit) fails at the quote signature; the checks after it are not reached', async () => {
    const quote = Buffer.from(readFileSync('vectors/dcap/dcap-qvl/tdx_quote'));
    // v4 TDX: 48-byte header, then the TD report; MRTD is at body offset 136 (Intel TDX DCAP Quote Library API, TD Quote Body).
    expect(quote.subarray(48 + 136, 48 + 184).toString('hex')).toBe(TDX_MRTD);
    quote[48 + 136] = quote[48 + 136]! ^ 0x01;
    await page.locator('#quote-text').fill(quote.toString('hex'));
    await page.waitForSelector('[data-testid=verdict][data-verdict="error"][data-code="QuoteSignature"]');
    const states = Object.fromEntries(
      await page.locator('[data-testid=checks] li').evaluateAll((els) => els.map((e) => [(e as HTMLElement).dataset.check, (e as HTMLElement).dataset.state])),
    ) as Record<string, string>;
    expect(states['quote.signature']).toBe('fail');
    expect(states['tcb.evaluate']).toBe('not-reached');
    for (const id of ['quote.parse', 'collateral.parse', 'pck.chain', 'pck.crl', 'tcbInfo.signature', 'qeIdentity.signature', 'qeReport.signature', 'qeReport.binding', 'qeIdentity.report']) {
      expect(states[id], id).toBe('pass');
    }
    expect(await page.locator('[data-check="quote.signature"] .check-error').innerText()).toContain('QuoteSignature');
  });

  it('one second after the PCK CRL’s nextUpdate the revocation step fails with CrlExpired', async () => {
    // MANIFEST: window ends 1752919235 (2025-07-19T10:00:35Z), "the PCK CRL's nextUpdate is the binding bound".
    await page.locator('#quote-text').fill(readFileSync('vectors/dcap/dcap-qvl/tdx_quote').toString('hex'));
    await page.locator('#at').fill('2025-07-19T10:00:36Z');
    await page.locator('#verify').click();
    await page.waitForSelector('[data-testid=verdict][data-verdict="error"][data-code="CrlExpired"]');
    expect(await page.locator('[data-testid=checks] li[data-state="fail"]').getAttribute('data-check')).toBe('pck.crl');
  });

  it('fetches collateral from a PCCS only when allowed, then verifies it (fake PCCS on 127.0.0.1)', async () => {
    const pcs = await startFakePcs('collateral/tdx-b0c06f000000-platform.json', { cors: true });
    try {
      await page.locator('#clear').click();
      await page.locator('#quote-text').fill(readFileSync('vectors/dcap/dcap-qvl/tdx_quote').toString('hex'));
      // The page re-runs shortly after typing; let that run finish before the fetch.
      await page.waitForSelector('[data-testid=verdict][data-verdict="parsed"]');
      await page.locator('#at').fill(String(TDX_AT));
      await page.locator('.pccs summary').click();
      // Off by default: no URL field, no fetch button, no request.
      expect(await page.locator('#pccs-fetch').isDisabled()).toBe(true);
      expect(await page.locator('#pccs-url').isDisabled()).toBe(true);
      await page.locator('#pccs-enable').check();
      await page.locator('#pccs-url').fill(pcs.url);
      // http:// needs its own named relaxation.
      await page.locator('#pccs-fetch').click();
      await page.waitForSelector('#notice.error');
      expect(await page.locator('#notice').innerText()).toMatch(/http/i);
      expect(pcs.requests).toEqual([]);
      await page.locator('#pccs-http').check();
      await browser.context.route(`${pcs.url}/**`, (route) => route.continue());
      await page.locator('#pccs-fetch').click();
      await page.waitForSelector('[data-testid=verdict][data-verdict="UpToDate"]');
      expect(pcs.requests.map((p) => p.split('?')[0]).sort()).toEqual([
        '/sgx/certification/v4/pckcrl',
        '/sgx/certification/v4/rootcacrl',
        '/tdx/certification/v4/qe/identity',
        '/tdx/certification/v4/tcb',
      ]);
      expect(await page.locator('#collateral-info').innerText()).toContain(pcs.url);
    } finally {
      await browser.context.unroute(`${pcs.url}/**`);
      await page.locator('#pccs-enable').uncheck();
      await pcs.close();
    }
  });

  it('fits a phone: no horizontal scrolling at 390 px', async () => {
    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    phone.on('pageerror', (e) => pageErrors.push(String(e)));
    await phone.goto(url);
    await phone.waitForSelector('body[data-ready]');
    await phone.locator(`.samples.big [data-sample="${sampleIndex('sgx_quote')}"]`).click();
    await phone.waitForSelector('[data-testid=verdict][data-verdict="ConfigurationAndSWHardeningNeeded"]');
    for (const d of await phone.$$('details')) await d.evaluate((e) => ((e as HTMLDetailsElement).open = true));
    const width = await phone.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(390);
    await phone.close();
  });

  it('made no network request but the opted-in PCCS fetch, and raised no page error', () => {
    expect(pageErrors).toEqual([]);
    for (const u of requested) expect(u.startsWith('file:') || u.startsWith('http://127.0.0.1:'), u).toBe(true);
    expect(requested.filter((u) => u.startsWith('http')).length).toBe(4);
  });
});
