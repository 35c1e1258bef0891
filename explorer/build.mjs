#!/usr/bin/env node
/**
 * Builds the quote explorer into one self-contained HTML file (script, style
 * and the bundled sample quotes inlined), so it opens from file:// with no
 * server and no network: dist-explorer/index.html.
 *
 *   node explorer/build.mjs           build, print the path
 *   node explorer/build.mjs --open    build and open it in a browser (npm run explorer)
 *   node explorer/build.mjs --out DIR build into DIR
 */
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

function isText(bytes) {
  return bytes.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b <= 126));
}

/** The samples of `npm start` (vectors/samples.json), plus the tdx_quote with its collateral/ bundle. */
export function loadSamples() {
  const manifest = JSON.parse(readFileSync(join(root, 'vectors/samples.json'), 'utf8'));
  const vec = (p) => join(root, 'vectors', p);
  const quoteHex = (path) => {
    const bytes = readFileSync(path);
    return isText(bytes) ? bytes.toString('utf8').replace(/\s+/g, '').replace(/^0x/i, '') : bytes.toString('hex');
  };
  const samples = manifest.samples.map((s) => ({
    name: s.name,
    quoteHex: quoteHex(vec(s.quote)),
    collateral: readFileSync(vec(s.collateral), 'utf8'),
    at: s.at,
    ...(s.trailingBytes ? { trailingBytes: s.trailingBytes } : {}),
    ...(s.root ? { rootPem: readFileSync(vec(s.root), 'utf8') } : {}),
    expect: s.expect,
    source: s.source,
  }));
  const tdx = manifest.samples.find((s) => s.quote === 'dcap/dcap-qvl/tdx_quote');
  if (tdx) {
    samples.splice(2, 0, {
      name: 'dcap-qvl tdx_quote with its collateral/ bundle',
      quoteHex: quoteHex(vec(tdx.quote)),
      collateral: readFileSync(join(root, 'collateral/tdx-b0c06f000000-platform.json'), 'utf8'),
      at: tdx.at,
      expect: tdx.expect,
      source: `${tdx.source}; collateral from collateral/tdx-b0c06f000000-platform.json (tee-attest/collateral-bundle/v1)`,
    });
  }
  return samples;
}

/** Build the page; returns the path of the HTML file. */
export async function buildExplorer(outDir = join(root, 'dist-explorer')) {
  const js = await build({
    entryPoints: [join(here, 'src/main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    write: false,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const script = js.outputFiles[0].text.replace(/<\/script/gi, '<\\/script');
  const style = readFileSync(join(here, 'style.css'), 'utf8');
  const samples = JSON.stringify(loadSamples()).replace(/</g, '\\u003c');
  const html = readFileSync(join(here, 'index.html'), 'utf8')
    .replace('/*STYLE*/', () => style)
    .replace('/*SAMPLES*/', () => samples)
    .replace('/*SCRIPT*/', () => script);
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, 'index.html');
  writeFileSync(out, html);
  return out;
}

function openInBrowser(file) {
  const url = pathToFileURL(file).href;
  const cmd = process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  return new Promise((done) => {
    const child = spawn(cmd[0], cmd[1], { stdio: 'ignore', detached: true });
    child.on('error', () => done(false));
    child.on('spawn', () => {
      child.unref();
      done(true);
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outIdx = args.indexOf('--out');
  const file = await buildExplorer(outIdx >= 0 ? resolve(args[outIdx + 1]) : undefined);
  const size = readFileSync(file).length;
  process.stdout.write(`quote explorer: ${file} (${(size / 1024).toFixed(0)} kB, self-contained)\n`);
  if (args.includes('--open')) {
    const hasDisplay = process.platform !== 'linux' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
    const opened = hasDisplay && (await openInBrowser(file));
    process.stdout.write(opened ? 'opened in your browser\n' : `no browser to open here: open ${pathToFileURL(file).href}\n`);
  }
}
