#!/usr/bin/env node
/**
 * Builds the `tee-attest` / `dcap` executable (issue #15, process start) from
 * the tsc output in dist/, after `tsc -p tsconfig.build.json`:
 *
 *   dist/bin/cli.cjs            the whole CLI as one CommonJS module (esbuild),
 *                               already inside the CommonJS function wrapper:
 *                               one file to read and compile instead of ~60
 *                               ES modules; every command's code (and the node
 *                               builtins it imports) is initialised only when
 *                               that command runs. Node builtins and the
 *                               optional peers (undici, pg, @sigstore/*) stay
 *                               outside (`require`d when used, so a missing
 *                               peer is still a coded DependencyMissing).
 *   dist/bin/cli.cjs.v8cache    V8's code cache for that script, produced here
 *                               by running the offline commands once; used at
 *                               run time only when its recorded SHA-256 is the
 *                               script's and V8 accepts it (same Node / V8).
 *   dist/bin/tee-attest.cjs     the bin entry (`tee-attest`, `dcap`): loads
 *                               cli.cjs with that cache (src/cli/launch.cts).
 *   dist/cli/main.js            replaced by a one-line ESM stub that runs the
 *                               bin entry, so `node dist/cli/main.js` is the
 *                               same program.
 *
 * Two modules have Node variants in this bundle (NODE_VARIANTS below): the
 * default crypto backend (node:crypto, no pure-JS curve code) and the strict
 * base64 decoder (native).
 * `import.meta.url` in a bundled module is the URL of that module's tsc output
 * in dist/ (the files next to which its relative paths point: package.json,
 * vectors/, the pool's worker.js).
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const out = join(dist, 'bin');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

/** import.meta.url → the URL of the module's own file in dist/ (see above). */
const distUrls = {
  name: 'dist-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const rel = relative(dist, args.path).split('\\').join('/');
      return { contents: text.replaceAll('import.meta.url', `__teeAttestDistUrl(${JSON.stringify(rel)})`), loader: 'js' };
    });
  },
};

/**
 * Node variants, each `X-node.js` in place of `X.js` for every importer but
 * itself (same exports, same results; see each file):
 *   - crypto/default-node.js: the default backend is node:crypto (the CLI passes
 *     it anyway), so no pure-JS curve or hash code is loaded;
 *   - lib/base64-node.js: the strict base64 decoder (PEM) decodes natively.
 */
const NODE_VARIANTS = ['crypto/default.js', 'lib/base64.js'];
const substituted = new Set();
const nodeVariants = {
  name: 'node-variants',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const target = resolve(args.resolveDir, args.path);
      const rel = relative(dist, target).split('\\').join('/');
      if (!NODE_VARIANTS.includes(rel)) return undefined;
      const variant = target.replace(/\.js$/, '-node.js');
      if (args.importer === variant) return undefined;
      substituted.add(rel);
      return { path: variant };
    });
  },
};

await build({
  entryPoints: [join(dist, 'cli', 'bin.js')],
  outfile: join(out, 'cli.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['undici', 'pg', '@sigstore/*'],
  // No import() left in the script (the launcher compiles it as a plain script):
  // an optional peer is require()d, and a missing one is still DependencyMissing.
  supported: { 'dynamic-import': false },
  plugins: [distUrls, nodeVariants],
  banner: {
    js: '"use strict";\nvar __teeAttestDistUrl = (p) => require("node:url").pathToFileURL(require("node:path").join(__dirname, "..", p)).href;',
  },
  legalComments: 'none',
  // Less to read, hash and compile; names are kept for stack traces.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
});

for (const v of NODE_VARIANTS) if (!substituted.has(v)) throw new Error(`bundle-cli: ${v} is not imported any more: update NODE_VARIANTS`);

// The script the launcher compiles: the bundle inside the CommonJS wrapper
// (written here, so that the launcher compiles the file's text as it is),
// without the hashbang line, ASCII only (decoded as latin1), no import().
const bundlePath = join(out, 'cli.cjs');
const bundled = readFileSync(bundlePath, 'utf8').replace(/^#![^\n]*\n/, '');
if (/[^\w$.]import\(/.test(bundled)) throw new Error('dist/bin/cli.cjs: an import() is left in the bundle');
if (/[^\x00-\x7f]/.test(bundled)) throw new Error('dist/bin/cli.cjs: not ASCII');
writeFileSync(bundlePath, `(function (exports, require, module, __filename, __dirname) {${bundled}\n})`);

// The launcher (src/cli/launch.cts) as the bin entry, and dist/cli/main.js as a stub of it.
const launcher = readFileSync(join(dist, 'cli', 'launch.cjs'), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');
writeFileSync(join(out, 'tee-attest.cjs'), launcher);
chmodSync(join(out, 'tee-attest.cjs'), 0o755);
writeFileSync(
  join(dist, 'cli', 'main.js'),
  `#!/usr/bin/env node\n// The tee-attest CLI: runs the bundled executable (scripts/bundle-cli.mjs); src/cli/main.ts is the same program unbundled.\nimport { createRequire } from 'node:module';\ncreateRequire(import.meta.url)('../bin/tee-attest.cjs').main();\n`,
);

// The code cache: the bundle compiled by the launcher and run on the offline
// commands of the samples (so that their functions are compiled), in a child
// process with no NODE_OPTIONS (V8 refuses a cache made under other flags).
const V = join(root, 'vectors', 'dcap', 'dcap-qvl');
const warmUp = [
  ['--help'],
  ['verify', '--help'],
  ['verify', '--quote', join(V, 'sgx_quote'), '--collateral', join(V, 'sgx_quote_collateral.json'), '--at', '1752919277'],
  ['verify', '--quote', join(V, 'tdx_quote'), '--collateral', join(V, 'tdx_quote_collateral.json'), '--at', '1752919234', '--json'],
  ['inspect', join(V, 'tdx_quote')],
  ['samples'],
];
const trainer = `
const { loadCli } = require(${JSON.stringify(join(out, 'tee-attest.cjs'))});
const cli = loadCli(false);
const io = { program: 'tee-attest', stdout() {}, stderr() {}, stderrIsTTY: false, now: () => 1752919277 };
(async () => {
  for (const argv of ${JSON.stringify(warmUp)}) {
    const code = await cli.exports.runCli(argv, io);
    if (code !== 0) throw new Error('code-cache warm-up: ' + argv.join(' ') + ' exited ' + code);
  }
  require('node:fs').writeFileSync(${JSON.stringify(join(out, 'cli.cjs.v8cache'))}, cli.cacheData());
})();
`;
const env = { ...process.env };
delete env.NODE_OPTIONS;
const r = spawnSync(process.execPath, ['-e', trainer], { env, stdio: 'inherit' });
if (r.status !== 0) throw new Error(`code-cache warm-up failed (exit ${r.status})`);
