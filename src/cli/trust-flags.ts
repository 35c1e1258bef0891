/**
 * The trust and pin flags of every command that verifies an RA-TLS peer or a
 * sidecar report (`attestation`, `probe`, `forward`): one definition, so the
 * same command line works against the simulator and against production.
 *
 *   --root FILE            trust anchor (CA certificate PEM/DER or hex P-256 point;
 *                          default: Intel SGX Root CA). `tee-attest-sim up --json`
 *                          prints the path of its FAKE root as `root`.
 *   --mrtd HEX ...         pins (repeatable; any one value matches):
 *   --compose-hash HEX ... allowedMrtds, allowedComposeHashes, allowedAppIds,
 *   --app-id HEX ...       allowedOsImageHashes
 *   --os-image-hash HEX ...
 *   --allow-any-td         INSECURE: no identity pins (credential paths need
 *                          them otherwise: requireIdentityPins)
 *   --collateral FILE|DIR  collateral: a JSON / bundle file or a bundle directory,
 *   --pccs URL [--cache DIR]  or a PCS / PCCS (through a verifying cache);
 *                          default: Intel PCS (memory cache)
 *   --insecure-http        allow http:// URLs (a sidecar's plain-HTTP /attestation
 *                          port, a local PCCS)
 *
 * This module is light (command specs import it for --help); the verifier is
 * built by `trustFromArgs`, which loads the verification stack on run.
 */
import type { RaTlsPolicyOptions } from '../ra-tls/ratls-policy.js';
import type { RaTlsVerifier } from '../verifier/types.js';
import { allValues, usage, type OptionSpec, type ParsedCommand } from './args.js';

export const TRUST_OPTIONS: readonly OptionSpec[] = [
  { name: 'root', value: 'FILE', help: 'trust anchor: CA certificate (PEM/DER) or hex P-256 point (default: Intel SGX Root CA)' },
  { name: 'mrtd', value: 'HEX', repeatable: true, help: 'pin the TD measurement MRTD (48 bytes hex; repeat to allow several)' },
  { name: 'compose-hash', value: 'HEX', repeatable: true, help: 'pin the dstack compose hash (32 bytes hex), read from the replayed RTMR3 events' },
  { name: 'app-id', value: 'HEX', repeatable: true, help: 'pin the dstack app id (20 bytes hex), read from the replayed RTMR3 events' },
  { name: 'os-image-hash', value: 'HEX', repeatable: true, help: 'pin the dstack OS image hash (32 bytes hex), read from the replayed RTMR3 events' },
  { name: 'allow-any-td', help: 'INSECURE: accept any genuine TD without identity pins' },
  { name: 'collateral', value: 'FILE|DIR', help: 'collateral JSON or bundle file, or a directory of bundles (default: Intel PCS)' },
  { name: 'pccs', value: 'URL', help: 'fetch collateral from this PCS / PCCS' },
  { name: 'cache', value: 'DIR', help: 'with --pccs: verifying filesystem cache' },
  { name: 'insecure-http', help: 'allow http:// URLs (the sidecar /attestation port, a local --pccs)' },
];

export type Pins = Pick<RaTlsPolicyOptions, 'allowedMrtds' | 'allowedComposeHashes' | 'allowedAppIds' | 'allowedOsImageHashes'> & { readonly allowAnyTd?: boolean };

const PIN_FLAGS = [
  ['mrtd', 'allowedMrtds', 48],
  ['compose-hash', 'allowedComposeHashes', 32],
  ['app-id', 'allowedAppIds', 20],
  ['os-image-hash', 'allowedOsImageHashes', 32],
] as const;

/** The pins given on the command line (hex checked here, so the message names the flag). */
export function pinsFromArgs(args: ParsedCommand): Pins {
  const out: Record<string, unknown> = {};
  for (const [flag, option, bytes] of PIN_FLAGS) {
    const values = allValues(args, flag).map((v) => {
      const h = v.trim().replace(/^0x/i, '');
      if (!new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(h)) throw usage(`--${flag} takes ${bytes} bytes of hex (${bytes * 2} characters)`, `--${flag}`);
      return h.toLowerCase();
    });
    if (values.length > 0) out[option] = values;
  }
  if (args.flags.has('allow-any-td')) out['allowAnyTd'] = true;
  return out as Pins;
}

/** The pins as one line of text (human output). */
export function describePins(p: Pins): string {
  const parts = PIN_FLAGS.flatMap(([flag, option]) => (p[option] === undefined ? [] : [`${flag}=${p[option]!.map((v) => v.slice(0, 16)).join('|')}`]));
  if (p.allowAnyTd === true) parts.push('allow-any-td (INSECURE)');
  return parts.length === 0 ? '(none)' : parts.join(' ');
}

export interface Trust {
  readonly verifier: RaTlsVerifier;
  readonly pins: Pins;
  /** Where the collateral comes from (human output). */
  readonly collateral: string;
  /** Releases what the verifier holds open (HTTP client). */
  close(): Promise<void>;
}

/**
 * Builds the verifier and pins from the trust flags. Usage errors name the
 * flag. `now` is the CLI's clock (unix seconds).
 */
export async function trustFromArgs(args: ParsedCommand, now: () => number): Promise<Trust> {
  const pins = pinsFromArgs(args);
  const { loadRootKey } = await import('./io.js');
  const { DcapVerifier } = await import('../verifier/dcap-verifier.js');
  const rootPath = args.values.get('root');
  const rootPublicKey = rootPath === undefined ? undefined : loadRootKey(rootPath);
  const collateralPath = args.values.get('collateral');
  const pccs = args.values.get('pccs');
  const cacheDir = args.values.get('cache');
  const insecure = args.flags.has('insecure-http');
  if (cacheDir !== undefined && pccs === undefined) throw usage('--cache needs --pccs', '--cache');
  if (collateralPath !== undefined && pccs !== undefined) throw usage('give --collateral or --pccs, not both', '--collateral');
  const base = { clock: now, ...(rootPublicKey === undefined ? {} : { rootPublicKey }) };
  if (collateralPath !== undefined) {
    const { isDirectory, readCollateralFile } = await import('./collateral-resolve.js');
    if (isDirectory(collateralPath)) {
      const { staticSourceFromDirectory } = await import('../node/directory-source.js');
      return { verifier: new DcapVerifier({ ...base, collateral: staticSourceFromDirectory(collateralPath) }), pins, collateral: `bundle directory ${collateralPath}`, close: async () => undefined };
    }
    const file = readCollateralFile(collateralPath);
    return { verifier: new DcapVerifier({ ...base, collateral: async () => file.collateral }), pins, collateral: `file ${collateralPath}`, close: async () => undefined };
  }
  const { checkPccsUrl } = await import('./online-options.js');
  checkPccsUrl(pccs, insecure);
  const { createUndiciFetch } = await import('../node/undici-fetch.js');
  const { pcsSource } = await import('./collateral-online.js');
  const fetch = createUndiciFetch();
  const pcs = pcsSource(fetch, { ...(pccs === undefined ? {} : { pccs }), ...(insecure ? { allowInsecureHttp: true } : {}), clock: now });
  let source;
  if (cacheDir !== undefined) {
    const { createNodeCachedSource } = await import('../node/cached-source-node.js');
    source = createNodeCachedSource({ upstream: pcs, cacheDir, clock: now, refreshAheadSeconds: 0, ...(rootPublicKey === undefined ? {} : { rootPublicKey }) });
  } else {
    const { CachedSource } = await import('../sources/dcap/cached-source.js');
    source = new CachedSource({ upstream: pcs, clock: now, refreshAheadSeconds: 0, ...(rootPublicKey === undefined ? {} : { rootPublicKey }) });
  }
  return {
    verifier: new DcapVerifier({ ...base, collateral: source }),
    pins,
    collateral: `${pccs ?? 'Intel PCS'}${cacheDir === undefined ? '' : ` (cache ${cacheDir})`}`,
    close: () => fetch.close(),
  };
}
