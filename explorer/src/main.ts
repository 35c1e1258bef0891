/**
 * Quote explorer: wiring of the page. Inputs (drop, choose, paste; the bundled
 * samples; an opt-in PCCS fetch) → analyze() → renderAnalysis(). Nothing leaves
 * the page unless the user enables the PCCS fetch and presses its button.
 */
import { parseQuote } from '../../src/index.js';
import { PcsSource, collateralRequestForQuote } from '../../src/collateral/index.js';
import { parseChain } from '../../src/collateral/parse.js';
import { analyze, type AnalyzeInput } from './analyze.js';
import { renderAnalysis } from './render.js';
import { h } from './dom.js';
import { decodeCollateralText, decodeQuoteFile, decodeQuoteText, InputError } from './input.js';

interface EmbeddedSample {
  readonly name: string;
  readonly quoteHex: string;
  readonly collateral: string;
  readonly at: number | string;
  readonly trailingBytes?: 'reject' | 'zeros' | 'any';
  readonly rootPem?: string;
  readonly expect: { status?: string; advisoryIds?: string[]; error?: string };
  readonly source: string;
}

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} missing from index.html`);
  return el as T;
};

const quoteText = $<HTMLTextAreaElement>('quote-text');
const quoteFile = $<HTMLInputElement>('quote-file');
const quoteZone = $('quote-zone');
const quoteInfo = $('quote-info');
const collText = $<HTMLTextAreaElement>('collateral-text');
const collFile = $<HTMLInputElement>('collateral-file');
const collZone = $('collateral-zone');
const collInfo = $('collateral-info');
const atInput = $<HTMLInputElement>('at');
const trailingSelect = $<HTMLSelectElement>('trailing');
const pccsEnable = $<HTMLInputElement>('pccs-enable');
const pccsUrl = $<HTMLInputElement>('pccs-url');
const pccsFetch = $<HTMLButtonElement>('pccs-fetch');
const pccsHttp = $<HTMLInputElement>('pccs-http');
const verifyButton = $<HTMLButtonElement>('verify');
const clearButton = $<HTMLButtonElement>('clear');
const results = $('results');
const empty = $('empty');
const notice = $('notice');
const samples: EmbeddedSample[] = JSON.parse($('samples-data').textContent ?? '[]') as EmbeddedSample[];

/** Binary quote from a dropped file (text files are decoded into the textarea instead). */
let quoteBinary: { bytes: Uint8Array; name: string } | undefined;
/** Trust anchor override of a sample using a test root. */
let sampleRoot: { key: Uint8Array; label: string } | undefined;
let runId = 0;
/** Scroll to the verdict after this run (a sample or file was picked, not a keystroke). */
let scrollOnResult = false;

function setNotice(text: string, tone: 'info' | 'error' = 'info'): void {
  notice.textContent = text;
  notice.className = text ? `notice ${tone}` : 'notice';
}

function currentQuote(): Uint8Array | undefined {
  if (quoteBinary) return quoteBinary.bytes;
  if (quoteText.value.trim() === '') return undefined;
  return decodeQuoteText(quoteText.value);
}

function currentAt(): number | string {
  const v = atInput.value.trim();
  if (v === '' || v.toLowerCase() === 'now') return Math.floor(Date.now() / 1000);
  if (/^\d+$/.test(v)) return Number(v);
  return v;
}

function describeQuoteInput(): void {
  if (quoteBinary) {
    quoteInfo.textContent = `${quoteBinary.name}: ${quoteBinary.bytes.length} bytes (binary)`;
    return;
  }
  try {
    const q = currentQuote();
    quoteInfo.textContent = q ? `${q.length} bytes` : '';
  } catch (e) {
    quoteInfo.textContent = (e as Error).message;
  }
}

async function run(): Promise<void> {
  const id = ++runId;
  let quote: Uint8Array | undefined;
  let input: AnalyzeInput;
  try {
    quote = currentQuote();
    if (quote === undefined) {
      showEmpty();
      return;
    }
    const collateral = collText.value.trim() === '' ? undefined : decodeCollateralText(collText.value);
    const trailing = trailingSelect.value as 'reject' | 'zeros' | 'any';
    input = {
      quote,
      at: currentAt(),
      trailingBytes: trailing,
      ...(collateral ? { collateral } : {}),
      ...(sampleRoot ? { rootPublicKey: sampleRoot.key } : {}),
    };
  } catch (e) {
    setNotice(e instanceof InputError ? e.message : String((e as Error).message ?? e), 'error');
    return;
  }
  setNotice(sampleRoot ? `Trust anchor: ${sampleRoot.label} (not the pinned Intel SGX Root CA key).` : '');
  document.body.dataset.state = 'running';
  let analysis;
  try {
    analysis = await analyze(input);
  } catch (e) {
    if (id !== runId) return;
    setNotice(`Verification time: ${(e as Error).message}. Use now, unix seconds or an RFC 3339 date such as 2025-07-19T10:00:00Z.`, 'error');
    document.body.dataset.state = 'error';
    return;
  }
  if (id !== runId) return;
  empty.hidden = true;
  results.replaceChildren(...renderAnalysis(analysis));
  results.hidden = false;
  // One column (phones): the inputs sit above the results, so bring the verdict into view.
  if (window.matchMedia('(max-width: 900px)').matches && scrollOnResult) results.scrollIntoView({ block: 'start' });
  scrollOnResult = false;
  document.body.dataset.state = analysis.result ? 'verified' : analysis.parsedOnly ? 'parsed' : 'failed';
}

function showEmpty(): void {
  results.replaceChildren();
  results.hidden = true;
  empty.hidden = false;
  document.body.dataset.state = 'empty';
}

let timer: ReturnType<typeof setTimeout> | undefined;
function schedule(): void {
  clearTimeout(timer);
  timer = setTimeout(() => void run(), 250);
}

async function readFile(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

async function takeQuoteFile(file: File): Promise<void> {
  sampleRoot = undefined;
  try {
    const decoded = decodeQuoteFile(await readFile(file));
    if (decoded.encoding === 'binary') {
      quoteBinary = { bytes: decoded.bytes, name: file.name };
      quoteText.value = '';
      quoteText.placeholder = `${file.name} loaded (binary). Paste here to replace it.`;
    } else {
      quoteBinary = undefined;
      quoteText.value = new TextDecoder().decode(await readFile(file)).trim();
    }
    describeQuoteInput();
    scrollOnResult = true;
    void run();
  } catch (e) {
    setNotice((e as Error).message, 'error');
  }
}

async function takeCollateralFile(file: File): Promise<void> {
  collText.value = new TextDecoder().decode(await readFile(file));
  collInfo.textContent = `${file.name}: ${collText.value.length} characters`;
  void run();
}

function dropZone(zone: HTMLElement, take: (f: File) => Promise<void>): void {
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const f = e.dataTransfer?.files[0];
    if (f) void take(f);
  });
}

dropZone(quoteZone, takeQuoteFile);
dropZone(collZone, takeCollateralFile);
quoteFile.addEventListener('change', () => quoteFile.files?.[0] && void takeQuoteFile(quoteFile.files[0]));
collFile.addEventListener('change', () => collFile.files?.[0] && void takeCollateralFile(collFile.files[0]));
quoteText.addEventListener('input', () => {
  quoteBinary = undefined;
  sampleRoot = undefined;
  quoteText.placeholder = quoteText.dataset.placeholder ?? '';
  describeQuoteInput();
  schedule();
});
collText.addEventListener('input', () => {
  collInfo.textContent = collText.value ? `${collText.value.length} characters` : '';
  schedule();
});
atInput.addEventListener('change', () => void run());
trailingSelect.addEventListener('change', () => void run());
verifyButton.addEventListener('click', () => void run());
clearButton.addEventListener('click', () => {
  quoteBinary = undefined;
  sampleRoot = undefined;
  quoteText.value = '';
  collText.value = '';
  atInput.value = 'now';
  trailingSelect.value = 'zeros';
  quoteInfo.textContent = '';
  collInfo.textContent = '';
  setNotice('');
  for (const b of document.querySelectorAll('.sample.active')) b.classList.remove('active');
  showEmpty();
});

// --- PCCS fetch (off by default) ---------------------------------------------------
pccsEnable.addEventListener('change', () => {
  pccsUrl.disabled = !pccsEnable.checked;
  pccsFetch.disabled = !pccsEnable.checked;
  pccsHttp.disabled = !pccsEnable.checked;
  if (!pccsEnable.checked) pccsHttp.checked = false;
});
pccsFetch.addEventListener('click', () => void fetchFromPccs());

async function fetchFromPccs(): Promise<void> {
  if (!pccsEnable.checked) return;
  let quote: Uint8Array | undefined;
  try {
    quote = currentQuote();
  } catch (e) {
    setNotice((e as Error).message, 'error');
    return;
  }
  if (!quote) {
    setNotice('Load a quote first: the request (TEE type, FMSPC, PCK CA) is read from its PCK certificate.', 'error');
    return;
  }
  const baseUrl = pccsUrl.value.trim() || undefined;
  try {
    const request = collateralRequestForQuote(parseQuote(quote, { trailingBytes: trailingSelect.value as 'zeros' }));
    setNotice(`Fetching ${request.teeType} collateral for FMSPC ${request.fmspc} (${request.ca} CA) from ${baseUrl ?? 'Intel PCS'} …`);
    pccsFetch.disabled = true;
    const source = new PcsSource({
      fetch: (url, init) => globalThis.fetch(url, init as RequestInit) as never,
      ...(baseUrl ? { baseUrl } : {}),
      // A named relaxation: plain http only when its box is ticked.
      allowInsecureHttp: pccsHttp.checked,
    });
    const bundle = await source.getCollateral(request);
    collText.value = JSON.stringify(bundle.collateral, null, 2);
    collInfo.textContent = `fetched from ${bundle.metadata.source}`;
    setNotice(`Collateral fetched from ${bundle.metadata.source}. It is verified like any other: nothing is trusted because of where it came from.`);
    await run();
  } catch (e) {
    setNotice(`PCCS fetch failed: ${(e as Error).message}${location.protocol === 'file:' ? ' (a PCCS must allow cross-origin requests from this page)' : ''}`, 'error');
  } finally {
    pccsFetch.disabled = !pccsEnable.checked;
  }
}

// --- Samples ---------------------------------------------------------------------
function loadSample(s: EmbeddedSample, button: HTMLElement): void {
  quoteBinary = undefined;
  quoteText.value = s.quoteHex;
  collText.value = s.collateral;
  atInput.value = typeof s.at === 'number' ? String(s.at) : s.at;
  trailingSelect.value = s.trailingBytes ?? 'zeros';
  sampleRoot = s.rootPem ? { key: parseChain(s.rootPem)[0]!.publicKey, label: 'the Intel QVL sample’s test root' } : undefined;
  describeQuoteInput();
  collInfo.textContent = `${s.collateral.length} characters`;
  for (const b of document.querySelectorAll('.sample.active')) b.classList.remove('active');
  button.classList.add('active');
  scrollOnResult = true;
  void run();
}

function expected(s: EmbeddedSample): string {
  if (s.expect.error) return `expected: ${s.expect.error}`;
  return `expected: ${s.expect.status}${s.expect.advisoryIds?.length ? ` [${s.expect.advisoryIds.join(', ')}]` : ''}`;
}

for (const container of document.querySelectorAll('[data-samples]')) {
  container.replaceChildren(
    ...samples.map((s, i) => {
      const b = h(
        'button',
        { type: 'button', class: 'sample', 'data-sample': String(i), title: `${s.source}` },
        h('span', { class: 'sample-name' }, s.name),
        h('span', { class: 'sample-expect' }, expected(s)),
      );
      b.addEventListener('click', () => loadSample(s, b));
      return b;
    }),
  );
}

quoteText.dataset.placeholder = quoteText.placeholder;
describeQuoteInput();
showEmpty();
document.body.dataset.ready = 'true';
