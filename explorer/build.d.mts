/** Types of explorer/build.mjs (the quote explorer's build, used by test/explorer/). */
export interface ExplorerSample {
  name: string;
  quoteHex: string;
  collateral: string;
  at: number | string;
  trailingBytes?: 'reject' | 'zeros' | 'any';
  rootPem?: string;
  expect: { status?: string; advisoryIds?: string[]; error?: string };
  source: string;
}
export function loadSamples(): ExplorerSample[];
/** Builds the self-contained page; returns the path of its index.html. */
export function buildExplorer(outDir?: string): Promise<string>;
