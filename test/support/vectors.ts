/**
 * The one vector locator of the tests: every vector is a path under the
 * repository's vectors/ folder (provenance in its MANIFEST / README files),
 * found from this file, never from the working directory.
 * `vectorPath('dcap/dcap-qvl/tdx_quote')` and `vectorPath('vectors/dcap/...')`
 * name the same file; a trailing slash names a folder.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const VECTORS_DIR = fileURLToPath(new URL('../../vectors/', import.meta.url));

export function vectorPath(rel: string): string {
  return VECTORS_DIR + rel.replace(/^\.?\/?vectors\//, '');
}

export function readVector(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(vectorPath(rel)));
}

export function readVectorText(rel: string, encoding: BufferEncoding = 'utf8'): string {
  return readFileSync(vectorPath(rel), encoding);
}

export function readVectorJson<T = unknown>(rel: string): T {
  return JSON.parse(readVectorText(rel)) as T;
}
