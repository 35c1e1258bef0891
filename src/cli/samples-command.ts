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
import { runVerify } from './verify-run.js';
import type { CommandSpec, ParsedCommand } from './args.js';
import type { CliCommand, CliIo } from './registry.js';

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

const SPEC: CommandSpec = {
  name: 'samples',
  summary: 'Verify every bundled sample quote offline and compare each verdict with the expected result of its vector manifest.',
  synopsis: '[--manifest FILE] [--json]',
  options: [
    { name: 'manifest', value: 'FILE', help: 'sample manifest (default: the bundled vectors/samples.json)' },
    { name: 'json', help: 'one JSON object on stdout' },
  ],
  details: `JSON: {results: [{name, verdict, expected, match}], mismatches}.
Exit 0: every verdict matches; 2: at least one mismatch; 1: usage error.`,
};

async function run(args: ParsedCommand, io: CliIo): Promise<number> {
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
      io.stdout(`${match ? 'ok  ' : 'FAIL'}  ${s.name}\n      verdict:  ${got}\n`);
      if (!match) io.stdout(`      expected: ${want}\n`);
      if (!out.ok) io.stdout(`      (${out.error!.message})\n`);
    }
  }
  if (args.flags.has('json')) io.stdout(JSON.stringify({ results, mismatches }) + '\n');
  else io.stdout(`\n${manifest.samples.length - mismatches} of ${manifest.samples.length} sample verdicts match their manifests\n`);
  return mismatches === 0 ? 0 : 2;
}

export const samplesCli: CliCommand = { spec: SPEC, run };
