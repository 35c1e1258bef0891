/** Types for bench/bundle.mjs (imported by the TypeScript browser test). */
export declare const BUDGET_GZIP_BYTES: number;

export interface BrowserBundle {
  code: string;
  bytes: number;
  gzipBytes: number;
  brotliBytes: number;
  contributors: { name: string; minifiedBytes: number }[];
}

export declare function bundleBrowser(input: { entry?: string; contents?: string; resolveDir?: string }): Promise<BrowserBundle>;

export declare function formatKb(n: number): string;
