#!/usr/bin/env node
/**
 * The installed `tee-attest` / `dcap` executable (package.json "bin" →
 * dist/bin/tee-attest.cjs, a copy of this file's build). It runs the bundled
 * CLI, dist/bin/cli.cjs (scripts/bundle-cli.mjs), with V8's code cache for it
 * when one fits: process start is most of the cost of one command (issue #15),
 * and the cache spares V8 parsing and compiling the functions a command runs.
 *
 * The cache (dist/bin/cli.cjs.v8cache, written by the build) starts with the
 * SHA-256 of the script bytes it was made from; it is used only when that is
 * the SHA-256 of the script read now (V8 itself checks only the length), and
 * V8 still refuses it for another V8 version or other V8 flags, in which case
 * the script is compiled as usual. Nothing is ever written here. CommonJS, so
 * that no ES module loader starts.
 */
import fs = require('node:fs');
import path = require('node:path');
import vm = require('node:vm');
import crypto = require('node:crypto');
import nodeModule = require('node:module');

const SCRIPT = path.join(__dirname, 'cli.cjs');
const CACHE = `${SCRIPT}.v8cache`;
const DIGEST_BYTES = 32;

/** What the bundle exports (src/cli/bin.ts). */
interface CliBundle {
  runMain(): void;
  runCli(argv: readonly string[], io: unknown): Promise<number>;
}

function sha256(bytes: Uint8Array): Buffer {
  return crypto.createHash('sha256').update(bytes).digest();
}

/** The cache's V8 data when it was made from exactly `script`; undefined otherwise. */
function cacheFor(script: Buffer): Buffer | undefined {
  let cache: Buffer;
  try {
    cache = fs.readFileSync(CACHE);
  } catch {
    return undefined;
  }
  if (cache.length <= DIGEST_BYTES || !sha256(script).equals(cache.subarray(0, DIGEST_BYTES))) return undefined;
  return cache.subarray(DIGEST_BYTES);
}

/**
 * Compiles and runs the bundle as a CommonJS module (same wrapper as Node's).
 * `useCache: false` is the build's warm-up run, which then saves `cacheData()`.
 */
function loadCli(useCache = true): { exports: CliBundle; cacheRejected: boolean | undefined; cacheData: () => Buffer } {
  const bytes = fs.readFileSync(SCRIPT);
  const cachedData = useCache ? cacheFor(bytes) : undefined;
  // The file is the CommonJS function wrapper around the bundle, in ASCII (the build checks both).
  const script = new vm.Script(bytes.toString('latin1'), {
    filename: SCRIPT,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  const module = { exports: {} as CliBundle };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, nodeModule.createRequire(SCRIPT), module, SCRIPT, __dirname);
  return {
    exports: module.exports,
    cacheRejected: cachedData === undefined ? undefined : script.cachedDataRejected === true,
    cacheData: () => Buffer.concat([sha256(bytes), script.createCachedData()]),
  };
}

/** Runs this process's command line. */
function main(): void {
  loadCli().exports.runMain();
}

if (require.main === module) main();

export = { loadCli, main };
