/**
 * Shared plumbing for the scenario suites: a scenario (quote + consistent,
 * signed collateral from the fake-Intel factory) becomes a `Case` that can be
 * verified through every input shape (dcap-qvl JSON, raw PCS responses) and
 * every crypto backend (WebCrypto, noble). Outcomes are reduced to plain data
 * so the variants can be compared with `toEqual`.
 */
import { expect } from 'vitest';
import { AttestationError, PolicyError, type ErrorCode } from '../../src/errors.js';
import type { CollateralInput, CollateralJson, PcsCollateral } from '../../src/collateral/input.js';
import type { CryptoBackend } from '../../src/crypto/backend.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import { webCryptoBackend } from '../../src/crypto/webcrypto.js';
import { assertPolicy, type QuotePolicy } from '../../src/policy/policy.js';
import { verifyQuote, type VerifyQuoteOptions } from '../../src/verify/verify-quote.js';
import type { VerifiedQuote } from '../../src/verify/result.js';
import {
  buildCollateralJson,
  buildPcsCollateral,
  makeScenario,
  type CollateralParts,
  type Scenario,
  type ScenarioOptions,
  type TestPki,
} from '../../src/testing/index.js';

export const BACKENDS: Readonly<Record<'webcrypto' | 'noble', CryptoBackend>> = {
  webcrypto: webCryptoBackend(),
  noble: nobleBackend(),
};

/** What one verification gets: the quote, the collateral in one or both shapes, and the options. */
export interface Case {
  readonly quote: Uint8Array;
  /** The dcap-qvl JSON shape (or a deliberately malformed value). */
  readonly collateral: CollateralInput;
  /** The same collateral as raw PCS responses, when the case has a PCS equivalent. */
  readonly pcs?: PcsCollateral;
  readonly options: VerifyQuoteOptions;
  /** Policy to assert after a successful verification. */
  readonly policy?: QuotePolicy;
}

let sharedPki: TestPki | undefined;

/** The default PKI (windows around DEFAULT_AT), minted once per file. */
export function defaultPki(): TestPki {
  sharedPki ??= makeScenario().pki;
  return sharedPki;
}

function ownsPki(o: ScenarioOptions): boolean {
  const caRoles = ['root', 'platformCa', 'processorCa', 'tcbSigning'];
  return (
    o.pki !== undefined ||
    o.pkiOptions !== undefined ||
    o.label !== undefined ||
    o.at !== undefined ||
    o.corrupt?.pkiCertSignature !== undefined ||
    [...(o.expired ?? []), ...(o.notYetValid ?? [])].some((w) => caRoles.includes(w))
  );
}

/** makeScenario, reusing the default PKI unless the options change the PKI itself. */
export function scenario(o: ScenarioOptions = {}): Scenario {
  return makeScenario(ownsPki(o) ? o : { ...o, pki: defaultPki() });
}

/** The scenario as a Case: both collateral shapes, its own `at` and root. */
export function caseOf(s: Scenario, extra: { policy?: QuotePolicy; options?: Partial<VerifyQuoteOptions> } = {}): Case {
  return {
    quote: s.quote,
    collateral: s.collateral,
    pcs: s.pcsCollateral,
    options: { at: s.at, rootPublicKey: s.rootPublicKey, ...extra.options },
    ...(extra.policy ? { policy: extra.policy } : {}),
  };
}

/** The parts a scenario's collateral was built from (to swap one of them). */
export function partsOf(s: Scenario): CollateralParts {
  return {
    tcbInfo: s.signedTcbInfo,
    qeIdentity: s.signedQeIdentity,
    rootCaCrl: s.rootCrl,
    pckCrl: s.pckCrl,
    pckCa: s.pck.ca,
  };
}

/** The scenario with some collateral parts replaced; both shapes are rebuilt consistently. */
export function withParts(s: Scenario, parts: Partial<CollateralParts>, quote: Uint8Array = s.quote): Case {
  const all = { ...partsOf(s), ...parts };
  return {
    quote,
    collateral: buildCollateralJson(s.pki, all),
    pcs: buildPcsCollateral(s.pki, all),
    options: { at: s.at, rootPublicKey: s.rootPublicKey },
  };
}

/** A verification outcome as plain data (only AttestationError may escape verifyQuote). */
export type Outcome =
  | { readonly ok: true; readonly claims: Record<string, unknown> }
  | {
      readonly ok: false;
      readonly code: ErrorCode;
      readonly kind: string;
      readonly check: string | undefined;
      readonly field: string | undefined;
    };

/** Claims without the parsed quote (which holds byte views), for `toEqual` across variants. */
export function claimsOf(v: VerifiedQuote): Record<string, unknown> {
  const { quote: _quote, ...rest } = v;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

export async function outcomeOf(run: () => Promise<unknown>): Promise<Outcome> {
  try {
    const v = (await run()) as VerifiedQuote;
    return { ok: true, claims: claimsOf(v) };
  } catch (e) {
    if (!(e instanceof AttestationError)) throw e;
    return { ok: false, code: e.code, kind: e.kind, check: e.evidence?.check, field: e.evidence?.field };
  }
}

export type Shape = 'json' | 'pcs';

/** Verify a case (and its policy, if any) in one shape with one backend. */
export async function runCase(c: Case, shape: Shape = 'json', backend: CryptoBackend = BACKENDS.webcrypto): Promise<VerifiedQuote> {
  const collateral = shape === 'pcs' ? c.pcs : c.collateral;
  if (collateral === undefined) throw new Error('case has no PCS-shape collateral');
  const v = await verifyQuote(c.quote, collateral, { ...c.options, crypto: backend });
  return c.policy ? assertPolicy(v, c.policy) : v;
}

/** Every (shape, backend) variant the case supports. */
export function variants(c: Case): { name: string; shape: Shape; backend: CryptoBackend }[] {
  const out: { name: string; shape: Shape; backend: CryptoBackend }[] = [];
  for (const shape of c.pcs ? (['json', 'pcs'] as const) : (['json'] as const)) {
    for (const [name, backend] of Object.entries(BACKENDS)) out.push({ name: `${shape}/${name}`, shape, backend });
  }
  return out;
}

/**
 * Run every variant; they must all agree (same claims, or same code and
 * check). Returns the common outcome.
 */
export async function agreedOutcome(c: Case): Promise<Outcome> {
  const results: [string, Outcome][] = [];
  for (const v of variants(c)) results.push([v.name, await outcomeOf(() => runCase(c, v.shape, v.backend))]);
  const [first] = results;
  for (const [name, o] of results.slice(1)) {
    if (o.ok && first![1].ok) {
      expect(o.claims, `${name} claims equal ${first![0]}`).toEqual(first![1].claims);
    } else if (!o.ok && !first![1].ok && o.code === first![1].code) {
      // Same code. Parse errors of the two collateral shapes may name different fields;
      // past parsing, the failing check must be the same.
      if (o.kind !== 'parse') expect([o.check, o.field], `${name} check equals ${first![0]}`).toEqual([first![1].check, first![1].field]);
    } else {
      expect(o, `${name} agrees with ${first![0]}`).toEqual(first![1]);
    }
  }
  return first![1];
}

/** Expect a PolicyError whose only violation is `code`. */
export function expectSinglePolicyViolation(e: unknown, code: ErrorCode): PolicyError {
  expect(e).toBeInstanceOf(PolicyError);
  const p = e as PolicyError;
  expect(p.violations.map((v) => v.code)).toEqual([code]);
  return p;
}

/** 16 TCB component SVNs from a short prefix. */
export function svn16(...prefix: number[]): number[] {
  return [...prefix, ...Array<number>(16 - prefix.length).fill(0)];
}

export type { CollateralJson };
