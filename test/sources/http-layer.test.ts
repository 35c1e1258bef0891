/**
 * The one bounded HTTP layer (src/sources/http.ts) and the remote verifiers'
 * fetchText on top of it: the body limit is enforced while streaming, at the
 * first chunk over it, never after reading the whole body (#12 move 2).
 */
import { describe, expect, it } from 'vitest';
import { httpGet, type FetchLike, type FetchResponseLike } from '../../src/sources/http.js';
import { fetchText } from '../../src/verifier/http.js';
import { rejectsWith } from './dcap/helpers.js';

/** A 200 response whose body never ends (1 KiB chunks); counts what was pulled. */
function endless(): FetchLike & { pulled: () => number; cancelled: () => boolean } {
  let pulled = 0;
  let cancelled = false;
  const f = (async () => {
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled += 1024;
        c.enqueue(new Uint8Array(1024));
      },
      cancel() {
        cancelled = true;
      },
    });
    const res: FetchResponseLike = {
      status: 200,
      headers: { get: () => null },
      body,
      arrayBuffer: () => new Promise<ArrayBuffer>(() => undefined), // a layer that buffers everything never returns
    };
    return res;
  }) as unknown as FetchLike & { pulled: () => number; cancelled: () => boolean };
  f.pulled = () => pulled;
  f.cancelled = () => cancelled;
  return f;
}

describe('bounded HTTP layer', () => {
  it('fetchText (remote verifiers) stops an endless body at the limit: VerifierUnavailable http.size', async () => {
    const f = endless();
    const e = await rejectsWith(fetchText(f, 'https://verifier.example/x', { method: 'GET', headers: {} }, { what: 'test', maxBytes: 10_000 }), 'VerifierUnavailable');
    expect(e.evidence?.check).toBe('http.size');
    expect(f.pulled()).toBeLessThan(64 * 1024);
    expect(f.cancelled()).toBe(true);
  });

  it('httpGet (collateral sources) stops it too: CollateralFetch http.bodyTooLarge', async () => {
    const f = endless();
    const e = await rejectsWith(
      httpGet('https://pcs.example/x', { fetch: f, headers: {}, timeoutMs: 5_000, maxBodyBytes: 10_000, maxSameOriginRedirects: 0, what: 'tcbInfo' }),
      'CollateralFetch',
    );
    expect(e.evidence?.check).toBe('http.bodyTooLarge');
    expect(f.pulled()).toBeLessThan(64 * 1024);
  });

  it('a declared Content-Length over the limit is refused before any body byte', async () => {
    const f: FetchLike = async () => ({
      status: 200,
      headers: { get: (n: string) => (n.toLowerCase() === 'content-length' ? '999999' : null) },
      body: null,
      arrayBuffer: async () => new ArrayBuffer(0),
    });
    await rejectsWith(fetchText(f, 'https://verifier.example/x', { method: 'GET', headers: {} }, { what: 'test', maxBytes: 10 }), 'VerifierUnavailable');
  });
});
