/**
 * Runs a job of the runtime suite in each runtime (shared by
 * test/runtimes/matrix.test.ts and bench/runtimes.mjs): Node in-process,
 * Deno and Bun as child processes on the ESM build (binaries from the pinned
 * `deno` / `bun` devDependencies), workerd through miniflare on a worker
 * bundled by esbuild.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { ROOT, entryFiles, entryUrls } from './data.mjs';
import { benchSuite, runSuite } from './suite.mjs';

const require = createRequire(import.meta.url);
const HERE = fileURLToPath(new URL('.', import.meta.url));

export const RUNTIMES = ['deno', 'bun', 'workerd'];

/** Version of each runtime package as pinned in package.json devDependencies. */
export function pinnedVersions() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  return { deno: pkg.devDependencies.deno, bun: pkg.devDependencies.bun, miniflare: pkg.devDependencies.miniflare };
}

const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

function run(cmd, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** `deno --version` / `bun --version` / workerd's version: throws when the binary cannot start. */
export async function runtimeVersion(name) {
  if (name === 'deno') return (await run(bin('deno'), ['--version'], 60_000)).stdout.split('\n')[0].trim();
  if (name === 'bun') return `bun ${(await run(bin('bun'), ['--version'], 60_000)).stdout.trim()}`;
  const workerd = (await run(bin('workerd'), ['--version'], 60_000)).stdout.trim();
  return `${workerd} (miniflare ${require('miniflare/package.json').version})`;
}

/** Runs host.mjs in a fresh `deno`, `bun` or (for the benchmark) `node` process. */
export async function runChild(name, job, timeoutMs) {
  const dir = mkdtempSync(join(tmpdir(), `tee-attest-${name}-`));
  try {
    const file = join(dir, 'job.json');
    writeFileSync(file, JSON.stringify(job));
    const host = join(HERE, 'host.mjs');
    const args =
      name === 'deno'
        ? ['run', '--node-modules-dir=manual', '--no-lock', '--no-prompt', `--allow-read=${ROOT},${dir}`, '--allow-net=127.0.0.1', host, file]
        : name === 'bun'
          ? ['run', '--no-install', host, file]
          : [host, file];
    const { stdout } = await run(name === 'node' ? process.execPath : bin(name), args, timeoutMs);
    const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
    return JSON.parse(line);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The worker bundle: ESM, browser conditions, the package entries resolved to the built dist files. */
export async function bundleWorker() {
  const esbuild = await import('esbuild');
  const files = entryFiles();
  const out = await esbuild.build({
    entryPoints: [join(HERE, 'worker.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    alias: {
      'tee-attest': files.core,
      'tee-attest/ra-tls': files.raTls,
      'tee-attest/collateral': files.collateral,
      'tee-attest/snp': files.snp,
      'tee-attest/testing': files.testing,
    },
  });
  return out.outputFiles[0].text;
}

let miniflare;
async function workerd() {
  if (miniflare === undefined) {
    const { Miniflare } = await import('miniflare');
    const script = await bundleWorker();
    miniflare = new Miniflare({ modules: true, script, compatibilityDate: '2026-07-01', log: undefined });
    await miniflare.ready;
  }
  return miniflare;
}

export async function disposeWorkerd() {
  if (miniflare !== undefined) await miniflare.dispose();
  miniflare = undefined;
}

/** Runs `job` ({ mode: 'suite' | 'bench', data, bench? }) in `name`; { runtime, importMs, result }. */
export async function runIn(name, job, timeoutMs = 240_000) {
  if (name === 'node') {
    const t0 = performance.now();
    const mods = {};
    for (const [k, url] of Object.entries(entryUrls())) mods[k] = await import(url);
    const importMs = performance.now() - t0;
    const result = job.mode === 'bench' ? await benchSuite(mods, job.data, job.bench) : await runSuite(mods, job.data, globalThis.fetch);
    return { runtime: `node ${process.versions.node}`, importMs, result };
  }
  if (name === 'deno' || name === 'bun' || name === 'node-process') return runChild(name === 'node-process' ? 'node' : name, { ...job, entries: entryUrls() }, timeoutMs);
  const mf = await workerd();
  const res = await mf.dispatchFetch('http://worker.local/', { method: 'POST', body: JSON.stringify(job) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`workerd answered ${res.status}: ${text.slice(0, 2000)}`);
  return JSON.parse(text);
}
