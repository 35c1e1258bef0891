/**
 * The browser bundle of the verify entry (the `tee-attest` core: no CLI, no
 * Node adapters) and its size. Used by `npm run size` (bench/size.mjs), by
 * `npm run bench` and by the Playwright test (test/browser/), so the three
 * measure the same thing.
 */
import { build } from 'esbuild';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';

/** Size budget of the verify entry, minified + gzip: 45 kB (issue #15; was 50 kB in issue #7). */
export const BUDGET_GZIP_BYTES = 45_000;

/** Same options everywhere: one ESM file, minified, for browsers (no node: built-ins can sneak in). */
const OPTIONS = {
  bundle: true,
  format: 'esm',
  minify: true,
  platform: 'browser',
  target: ['es2022'],
  write: false,
  metafile: true,
  legalComments: 'none',
  logLevel: 'silent',
};

function groupOf(path) {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (pkg) return pkg[1];
  const own = /(?:^|\/)(?:src|dist)\/([^/]+)\//.exec(path);
  return own ? `tee-attest ${own[1]}/` : 'tee-attest (top level)';
}

/**
 * Bundle `entry` (a file path), or the module text `contents` resolved from
 * `resolveDir`, and measure it.
 * @param {{ entry?: string, contents?: string, resolveDir?: string }} input
 */
export async function bundleBrowser(input) {
  const r = await build({
    ...OPTIONS,
    ...(input.entry !== undefined
      ? { entryPoints: [input.entry], outfile: 'bundle.js' }
      : { stdin: { contents: input.contents, resolveDir: input.resolveDir, loader: 'js', sourcefile: 'entry.js' }, outfile: 'bundle.js' }),
  });
  const file = r.outputFiles.find((f) => f.path.endsWith('.js'));
  const bytes = file.contents;
  const groups = new Map();
  for (const out of Object.values(r.metafile.outputs)) {
    for (const [path, info] of Object.entries(out.inputs)) {
      const g = groupOf(path);
      groups.set(g, (groups.get(g) ?? 0) + info.bytesInOutput);
    }
  }
  return {
    code: file.text,
    bytes: bytes.length,
    gzipBytes: gzipSync(bytes, { level: 9 }).length,
    brotliBytes: brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length,
    /** Minified bytes contributed per package / source folder, largest first. */
    contributors: [...groups.entries()].sort((a, b) => b[1] - a[1]).map(([name, minifiedBytes]) => ({ name, minifiedBytes })),
  };
}

export function formatKb(n) {
  return `${(n / 1000).toFixed(1)} kB`;
}
