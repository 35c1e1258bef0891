/**
 * The HTTP layer PcsSource needs: a `fetch`-shaped function. `globalThis.fetch`
 * fits (browsers, Deno, Bun, Cloudflare Workers, Node); `undici-fetch.ts` builds
 * a hardened one for Node (keep-alive agent, connect / header / body timeouts,
 * streamed body limit).
 */

export interface FetchRequestInit {
  readonly method: 'GET';
  readonly headers: Record<string, string>;
  /** Always 'manual': redirects are inspected by PcsSource, never followed by the fetch implementation. */
  readonly redirect: 'manual';
  readonly signal: AbortSignal;
}

export interface FetchResponseLike {
  readonly status: number;
  /** Browsers answer a manual redirect with type 'opaqueredirect' (status 0, no headers). */
  readonly type?: string;
  readonly headers: { get(name: string): string | null };
  readonly body: ReadableStream<Uint8Array> | null;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export type FetchLike = (url: string, init: FetchRequestInit) => Promise<FetchResponseLike>;
