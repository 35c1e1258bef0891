import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AttestationError } from '../../src/errors.js';
import { derChildren, ecdsaSigDerToRaw, readDer, type DerNode } from '../../src/der/reader.js';
import { parseCertificate } from '../../src/x509/certificate.js';
import { parseCrl, parseCrlAny } from '../../src/x509/crl.js';
import { decodePem, decodePemChain } from '../../src/x509/pem.js';
import { parseSgxExtension, parseSgxExtensionValue } from '../../src/x509/sgx-extension.js';
import { DERIVED, INTEL_ROOT_DER, QVL, pemChain, readVector, readVectorText, tlv } from './helpers.js';

/** Runs fn; anything thrown must be an AttestationError. Returns whether it succeeded. */
function onlyAttestationErrors(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch (e) {
    if (!(e instanceof AttestationError)) throw e;
    expect(typeof e.code).toBe('string');
    return false;
  }
}

/** Walks a DER tree to the depth limit; exercises derChildren on arbitrary input. */
function walk(n: DerNode): void {
  if (n.constructed) for (const k of derChildren(n)) walk(k);
}

const CERTS = [
  ...pemChain(DERIVED + 'tdx_quote/pck_chain_from_quote.pem'),
  ...pemChain(DERIVED + 'sgx_quote/pck_chain_from_quote.pem').slice(0, 1),
  INTEL_ROOT_DER,
];
const CRLS = [
  readVector(DERIVED + 'tdx_quote/pck_crl.der'),
  readVector(DERIVED + 'tdx_quote/root_ca_crl.der'),
  readVector(QVL + 'intermediateCaCrl.der'),
];
const PEM = readVectorText(DERIVED + 'tdx_quote/pck_chain_from_quote.pem');

function parseAll(bytes: Uint8Array): void {
  onlyAttestationErrors(() => walk(readDer(bytes)));
  onlyAttestationErrors(() => parseCrl(bytes));
  onlyAttestationErrors(() => parseCrlAny(bytes));
  onlyAttestationErrors(() => parseSgxExtensionValue(bytes));
  onlyAttestationErrors(() => ecdsaSigDerToRaw(bytes));
  let cert: ReturnType<typeof parseCertificate> | undefined;
  onlyAttestationErrors(() => (cert = parseCertificate(bytes)));
  if (cert !== undefined) {
    const c = cert;
    onlyAttestationErrors(() => parseSgxExtension(c));
  }
}

/** Arbitrary DER-ish trees: well-formed TLVs with random tags and contents. */
const tree: fc.Arbitrary<Uint8Array> = fc.letrec<{ node: Uint8Array }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(fc.integer({ min: 0, max: 0x1e }), fc.uint8Array({ maxLength: 24 })).map(([t, v]) => tlv(t, v)),
    fc
      .tuple(fc.constantFrom(0x30, 0x31, 0xa0, 0xa3, 0x04), fc.array(tie('node'), { maxLength: 4 }))
      .map(([t, kids]) => tlv(t, ...kids)),
  ),
})).node;

describe('fuzz: parsers only ever throw AttestationError', () => {
  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1500 }), (b) => parseAll(b)), { numRuns: 1500 });
  });

  it('random DER-shaped trees', () => {
    fc.assert(fc.property(tree, (b) => parseAll(b)), { numRuns: 1500 });
  });

  it('single-byte mutations, truncations and insertions of real certificates and CRLs', () => {
    const samples = [...CERTS, ...CRLS];
    const mutation = fc.record({
      which: fc.nat({ max: samples.length - 1 }),
      pos: fc.nat(),
      value: fc.integer({ min: 0, max: 255 }),
      kind: fc.constantFrom('set', 'truncate', 'insert', 'delete'),
    });
    let parsedMutants = 0;
    fc.assert(
      fc.property(mutation, ({ which, pos, value, kind }) => {
        const src = samples[which]!;
        const i = pos % src.length;
        let b: Uint8Array;
        if (kind === 'set') {
          b = src.slice();
          b[i] = value;
        } else if (kind === 'truncate') b = src.slice(0, i);
        else if (kind === 'insert') b = Uint8Array.from([...src.subarray(0, i), value, ...src.subarray(i)]);
        else b = Uint8Array.from([...src.subarray(0, i), ...src.subarray(i + 1)]);
        if (onlyAttestationErrors(() => (which < CERTS.length ? parseCertificate(b) : parseCrl(b)))) parsedMutants++;
        parseAll(b);
      }),
      { numRuns: 3000 },
    );
    // many single-byte changes land in contents and still parse
    expect(parsedMutants).toBeGreaterThan(0);
  });

  it('every single-byte change of the SGX extension of a PCK certificate', () => {
    const leaf = parseCertificate(CERTS[0]!);
    const value = leaf.extensions.find((e) => e.oid === '1.2.840.113741.1.13.1')!.value;
    for (let i = 0; i < value.length; i++) {
      for (const v of [0x00, 0x01, 0x7f, 0x80, 0xff, value[i]! ^ 0x20]) {
        const b = value.slice();
        b[i] = v;
        onlyAttestationErrors(() => parseSgxExtensionValue(b));
      }
    }
  });

  it('PEM text mutations and random strings', () => {
    const chars = fc.constantFrom('-', '=', '\0', '\n', '\r', ' ', 'A', '%', '2', 'D', '+', '/', 'é', 'B', 'E', 'G', 'I', 'N');
    fc.assert(
      fc.property(fc.nat(), fc.nat({ max: 3 }), chars, fc.string({ maxLength: 200 }), (pos, len, ch, rnd) => {
        const i = pos % PEM.length;
        const mutated = PEM.slice(0, i) + ch + PEM.slice(i + len);
        for (const s of [mutated, rnd, encodeURIComponent(mutated)]) {
          onlyAttestationErrors(() => decodePem(s));
          onlyAttestationErrors(() => decodePemChain(s));
          onlyAttestationErrors(() => parseCrlAny(s));
        }
      }),
      { numRuns: 2000 },
    );
  });
});
