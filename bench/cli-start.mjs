#!/usr/bin/env node
/**
 * Process start of the CLI (issue #15 targets): `tee-attest --help` ≤ 1.5×
 * `node -e 0`, and an offline `tee-attest verify --collateral FILE` ≤ 0.7× the
 * 5-line @phala/dcap-qvl script doing the same verification (SGX and TDX
 * samples of dcap-qvl, same quote, collateral and time). The CLI is the
 * installed executable (package.json "bin": dist/bin/tee-attest.cjs, built by
 * `npm run build`); `node dist/cli/main.js` (the same program through an ESM
 * stub) is listed too. All commands run interleaved, N rounds (round 0 warms
 * the file cache and is dropped); medians and ratios come from the same run,
 * printed with the load average (other processes disturb wall times).
 *
 *   npm run build && npm --prefix bench ci && node bench/cli-start.mjs [rounds]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.argv[2] ?? 21);
const node = process.execPath;
const bin = resolve(ROOT, JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')).bin['tee-attest']);
const V = resolve(ROOT, 'vectors/dcap/dcap-qvl');
const vectors = {
  SGX: { quote: join(V, 'sgx_quote'), collateral: join(V, 'sgx_quote_collateral.json'), at: 1752919277 },
  TDX: { quote: join(V, 'tdx_quote'), collateral: join(V, 'tdx_quote_collateral.json'), at: 1752919234 },
};
const verify = (v) => ['verify', '--quote', v.quote, '--collateral', v.collateral, '--at', String(v.at)];

const peer = resolve(ROOT, 'bench/node_modules/@phala/dcap-qvl');
const dir = mkdtempSync(join(tmpdir(), 'tee-attest-cli-start-'));
/** The 5-line script: read the quote and the collateral, verify, print the status. */
function peerScript(name, v) {
  const file = join(dir, `peer-${name}.cjs`);
  writeFileSync(
    file,
    `const q = require(${JSON.stringify(peer)});\nconst fs = require('fs');\nconst quote = fs.readFileSync(${JSON.stringify(v.quote)});\nconst col = JSON.parse(fs.readFileSync(${JSON.stringify(v.collateral)}, 'utf8'));\nconsole.log(q.verify(quote, col, ${v.at}).status);\n`,
  );
  return file;
}

const cases = {
  'node -e 0': ['-e', '0'],
  'tee-attest --help': [bin, '--help'],
  'tee-attest verify --help': [bin, 'verify', '--help'],
  'node dist/cli/main.js --help': [resolve(ROOT, 'dist/cli/main.js'), '--help'],
};
const withPeer = existsSync(peer);
for (const [name, v] of Object.entries(vectors)) {
  cases[`tee-attest verify --collateral FILE (${name})`] = [bin, ...verify(v)];
  if (withPeer) cases[`@phala/dcap-qvl 5-line script (${name})`] = [peerScript(name, v)];
}

const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, args] of Object.entries(cases)) {
    const t0 = performance.now();
    const res = spawnSync(node, args, { stdio: 'ignore', cwd: ROOT });
    const ms = performance.now() - t0;
    if (res.status !== 0) throw new Error(`${name} exited ${res.status}`);
    if (r > 0) times[name].push(ms); // round 0 warms the file cache
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times['node -e 0']);
console.log(`process start, median of ${rounds - 1} interleaved runs (node ${process.version}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')})`);
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(`${name.padEnd(46)} ${m.toFixed(1).padStart(7)} ms  ${(m / base).toFixed(2)}× node -e 0`);
}
const help = median(times['tee-attest --help']) / base;
console.log(`target tee-attest --help ≤ 1.5× node -e 0: ${help.toFixed(2)}× ${help <= 1.5 ? 'met' : 'NOT met'}`);
if (!withPeer) console.log('(peer script not measured: run `npm --prefix bench ci` first)');
else {
  for (const name of Object.keys(vectors)) {
    const r = median(times[`tee-attest verify --collateral FILE (${name})`]) / median(times[`@phala/dcap-qvl 5-line script (${name})`]);
    console.log(`target tee-attest verify --collateral (${name}) ≤ 0.7× the @phala/dcap-qvl script: ${r.toFixed(2)}× ${r <= 0.7 ? 'met' : 'NOT met'}`);
  }
}
