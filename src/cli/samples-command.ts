/**
 * `dcap samples`: verify every bundled sample quote offline (vectors/samples.json)
 * and print the verdict next to the expected result from the vector manifests.
 * Exit 0 when every verdict matches its expectation, 2 otherwise.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import type { CollateralInput } from '../collateral/input.js';
import { decodeBinaryOrHex, loadRootKey, readFileOrUsage } from './io.js';
import { runVerify } from './verify-command.js';
import { parseArgs } from './args.js';

interface Sample {
  name: string;
  quote: string;
  collateral: string;
  at: number | string;
  root?: string;
  trailingBytes?: 'reject' | 'zeros' | 'any';
  expect: { status?: string; advisoryIds?: string[]; error?: string };
  source: string;
}

function defaultManifest(): string {
  // dist/cli/samples-command.js → <package>/vectors/samples.json
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'vectors', 'samples.json');
}

export async function samplesCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, ['manifest'], ['json']);
  const manifestPath = args.values.get('manifest') ?? defaultManifest();
  const base = dirname(manifestPath);
  const manifest = JSON.parse(new TextDecoder().decode(readFileOrUsage(manifestPath, 'manifest'))) as { samples: Sample[] };
  let mismatches = 0;
  const results = [];
  for (const s of manifest.samples) {
    const quote = decodeBinaryOrHex(readFileOrUsage(resolve(base, s.quote), 'quote'));
    const collateral = JSON.parse(readFileSync(resolve(base, s.collateral), 'utf8')) as CollateralInput;
    const rootPublicKey = s.root === undefined ? undefined : loadRootKey(resolve(base, s.root));
    const out = await runVerify(quote, collateral, {
      at: s.at,
      ...(s.trailingBytes ? { trailingBytes: s.trailingBytes } : {}),
      ...(rootPublicKey ? { rootPublicKey } : {}),
    });
    const got = out.ok ? `${out.status} [${out.advisoryIds.join(', ')}]` : `error ${out.error!.code}`;
    const want = s.expect.error !== undefined ? `error ${s.expect.error}` : `${s.expect.status} [${(s.expect.advisoryIds ?? []).join(', ')}]`;
    const match = got === want;
    if (!match) mismatches++;
    results.push({ name: s.name, verdict: got, expected: want, match });
    if (!args.flags.has('json')) {
      process.stdout.write(`${match ? 'ok  ' : 'FAIL'}  ${s.name}\n      verdict:  ${got}\n`);
      if (!match) process.stdout.write(`      expected: ${want}\n`);
      if (!out.ok) process.stdout.write(`      (${out.error!.message})\n`);
    }
  }
  if (args.flags.has('json')) process.stdout.write(JSON.stringify({ results, mismatches }) + '\n');
  else process.stdout.write(`\n${manifest.samples.length - mismatches} of ${manifest.samples.length} sample verdicts match their manifests\n`);
  return mismatches === 0 ? 0 : 2;
}
