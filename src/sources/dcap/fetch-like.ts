/**
 * The HTTP layer PcsSource needs: the library's one fetch type
 * (src/sources/http.ts). `globalThis.fetch` fits; `undici-fetch.ts` builds a
 * hardened one for Node.
 */
export type { FetchLike, FetchRequestInit, FetchResponseLike } from '../http.js';
