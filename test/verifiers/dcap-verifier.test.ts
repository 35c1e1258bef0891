/**
 * DcapVerifier on the vector quotes that have collateral (MANIFEST §3) and on
 * quotes built under the test PKI; the synth quotes' broken Intel signature.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { StaticSource } from '../../src/sources/dcap/static-source.js';
import type { CollateralJson } from '../../src/collateral/input.js';
import { nobleBackend } from '../../src/crypto/noble.js';
import { AttestationError, attestationError } from '../../src/errors.js';
import { parseQuote } from '../../src/quote/parse.js';
import type { Quote } from '../../src/quote/types.js';
import { extractRaTlsAttestation } from '../../src/ra-tls/extract.js';
import { makeScenario } from '../../src/testing/index.js';
import { concatBytes, toHex } from '../../src/lib/bytes.js';
import { DcapVerifier } from '../../src/verifier/dcap-verifier.js';
import { bin, json, rejectsWith, SQLX_AT, throwsWith } from '../ra-tls/helpers.js';

const COLLATERAL = json<CollateralJson>('sqlx-ra-tls-fixture-tdx_quote_collateral.json');
const SQLX_QUOTE = bin('sqlx-ra-tls-fixture-tdx_quote.bin');

describe('DcapVerifier with the sqlx-ra-tls fixture collateral', () => {
  const verifier = new DcapVerifier({ collateral: async () => COLLATERAL });

  it('sqlx-ra-tls-fixture-tdx_quote: UpToDate, not debug, measurements as in the MANIFEST', async () => {
    const r = await verifier.verify(SQLX_QUOTE, { at: SQLX_AT });
    expect(r.verifier).toBe('dcap');
    expect(r.authenticated).toBe(true);
    expect(r.tcbStatus).toBe('UpToDate');
    expect(r.isDebug).toBe(false);
    expect(r.advisoryIds).toEqual([]);
    expect(r.mrtd.startsWith('91eb2b44')).toBe(true);
    expect(r.mrtd.endsWith('873118b7')).toBe(true);
    expect(r.rtmr0.startsWith('44c0197b')).toBe(true);
    expect(r.rtmr1.startsWith('0084452c')).toBe(true);
    expect(r.rtmr2.startsWith('d833feef')).toBe(true);
    expect(r.rtmr3).toBe('00'.repeat(48));
    expect(r.dcap?.fmspc.toUpperCase()).toBe('B0C06F000000');
    expect(r.dcap?.tcbEvaluationDataNumber).toBe(17);
    expect(r.verifiedAt).toBe(Date.parse(SQLX_AT) / 1000);
    // Expiry of the result = earliest collateral expiry, inside the MANIFEST window.
    expect(r.expiresAt).toBeLessThanOrEqual(Date.parse('2025-07-19T10:16:03Z') / 1000);
  });

  it('the same verification outside the collateral window fails (CollateralExpired or CRL expiry)', async () => {
    const e = await verifier.verify(SQLX_QUOTE, { at: '2025-09-01T00:00:00Z' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AttestationError);
    expect((e as AttestationError).kind).toBe('verify');
  });

  it('its verification cache never carries a verdict across times: dates are checked on every call', async () => {
    const cached = new DcapVerifier({ collateral: async () => COLLATERAL });
    const uncached = new DcapVerifier({ collateral: async () => COLLATERAL, cache: false });
    for (const v of [cached, uncached]) {
      expect((await v.verify(SQLX_QUOTE, { at: SQLX_AT })).tcbStatus).toBe('UpToDate');
      const late = await v.verify(SQLX_QUOTE, { at: '2025-09-01T00:00:00Z' }).catch((x: unknown) => x);
      expect((late as AttestationError).kind).toBe('verify');
      expect((await v.verify(SQLX_QUOTE, { at: SQLX_AT })).tcbStatus).toBe('UpToDate');
    }
  });

  it('the provider is called with the parsed quote and the time; provider errors are VerifierUnavailable, coded errors pass through', async () => {
    let seen: { quote: Quote; at: number } | undefined;
    const v = new DcapVerifier({
      collateral: async (quote, { at }) => {
        seen = { quote, at };
        return COLLATERAL;
      },
    });
    await v.verify(SQLX_QUOTE, { at: SQLX_AT });
    expect(seen?.quote).toEqual(parseQuote(SQLX_QUOTE, { trailingBytes: 'zeros' }));
    expect(seen?.at).toBe(Date.parse(SQLX_AT) / 1000);
    await rejectsWith(new DcapVerifier({ collateral: async () => Promise.reject(new Error('offline')) }).verify(SQLX_QUOTE, { at: SQLX_AT }), 'VerifierUnavailable');
    await rejectsWith(
      new DcapVerifier({
        collateral: async () => {
          throw attestationError('CollateralMissing', 'no collateral for this FMSPC');
        },
      }).verify(SQLX_QUOTE, { at: SQLX_AT }),
      'CollateralMissing',
    );
  });

  it('accepts a collateral store source (StaticSource over the offline bundle for FMSPC B0C06F000000)', async () => {
    const source = new StaticSource({ name: 'collateral/', read: async (file) => readFile(`collateral/${file}`, 'utf8').catch(() => undefined) });
    const r = await new DcapVerifier({ collateral: source }).verify(SQLX_QUOTE, { at: SQLX_AT });
    expect(r.tcbStatus).toBe('UpToDate');
    const missing = new StaticSource({ read: async () => undefined });
    await rejectsWith(new DcapVerifier({ collateral: missing }).verify(SQLX_QUOTE, { at: SQLX_AT }), 'CollateralMissing');
  });

  it('time: options.at, else the injected clock, else the system clock (after this 2025 collateral expired)', async () => {
    const late = await verifier.verify(SQLX_QUOTE).catch((x: unknown) => x);
    expect((late as AttestationError).kind).toBe('verify');
    const withClock = new DcapVerifier({ collateral: async () => COLLATERAL, clock: () => new Date(SQLX_AT) });
    expect((await withClock.verify(SQLX_QUOTE)).tcbStatus).toBe('UpToDate');
  });

  it('constructor: collateral must be a provider or a source; options must be an object', () => {
    throwsWith(() => new DcapVerifier({ collateral: 5 } as never), 'InvalidArgument');
    throwsWith(() => new DcapVerifier(null as never), 'InvalidArgument');
  });

  it('ra-tls-assets-tdx_quote parses (mrtd 91eb2b44…) but the sqlx collateral has no TCB level for it', async () => {
    const q = bin('ra-tls-assets-tdx_quote.bin');
    const body = parseQuote(q, { trailingBytes: 'zeros' }).body as { mrTd: Uint8Array; reportData: Uint8Array };
    expect(toHex(body.mrTd).startsWith('91eb2b44')).toBe(true);
    expect(new TextDecoder().decode(body.reportData).startsWith('# ~/.bashrc')).toBe(true);
    await rejectsWith(verifier.verify(q, { at: SQLX_AT }), 'TcbNotSupported');
  });

  it('SGX quotes are refused (RA-TLS verifiers handle TDX)', async () => {
    const s = makeScenario({ teeType: 'SGX' });
    await rejectsWith(new DcapVerifier({ collateral: async () => s.collateral, rootPublicKey: s.rootPublicKey }).verify(s.quote, { at: s.at }), 'QuoteUnsupported');
  });
});

describe('DcapVerifier under the test PKI', () => {
  it('a genuine test quote verifies; a debug one reports isDebug', async () => {
    for (const debug of [false, true]) {
      const s = makeScenario({ debug });
      const r = await new DcapVerifier({ collateral: async () => s.collateral, rootPublicKey: s.rootPublicKey }).verify(s.quote, { at: s.at });
      expect(r.tcbStatus).toBe('UpToDate');
      expect(r.isDebug).toBe(debug);
      expect(r.septVeDisable).toBe(true);
    }
  });

  it('a corrupted quote signature is QuoteSignature', async () => {
    const s = makeScenario({ corrupt: { quoteSignature: true } });
    await rejectsWith(new DcapVerifier({ collateral: async () => s.collateral, rootPublicKey: s.rootPublicKey }).verify(s.quote, { at: s.at }), 'QuoteSignature');
  });

  it('the genuine Intel root is the default trust anchor: a test-PKI quote fails', async () => {
    const s = makeScenario();
    const e = await new DcapVerifier({ collateral: async () => s.collateral }).verify(s.quote, { at: s.at }).catch((x: unknown) => x);
    expect((e as AttestationError).kind).toBe('verify');
  });
});

describe('the synth RA-TLS quotes (MANIFEST §6)', () => {
  const crypto = nobleBackend();
  const quoteSignatureValid = async (quote: Uint8Array): Promise<boolean> => {
    const q = parseQuote(quote, { trailingBytes: 'zeros' });
    return crypto.verifyP256(concatBytes(Uint8Array.of(4), q.signatureData.attestationKey), q.signedData, q.signatureData.signature);
  };

  it('bound certificates: REPORTDATA was patched, the quote signature no longer verifies', async () => {
    for (const c of ['synth-ratls-v0-oid8-bound.der', 'synth-ratls-legacy-oid1-oid2-bound.der']) {
      expect(await quoteSignatureValid(extractRaTlsAttestation(bin(c)).attestation.quote)).toBe(false);
    }
  });

  it('the UNBOUND certificate carries the genuine, unpatched fixture quote', async () => {
    expect(await quoteSignatureValid(extractRaTlsAttestation(bin('synth-ratls-v0-oid8-UNBOUND.der')).attestation.quote)).toBe(true);
    expect(await quoteSignatureValid(bin('sdk-simulator-attestation.quote.bin'))).toBe(true);
  });

  it('DcapVerifier rejects the bound synth quote', async () => {
    const q = extractRaTlsAttestation(bin('synth-ratls-v0-oid8-bound.der')).attestation.quote;
    const e = await new DcapVerifier({ collateral: async () => COLLATERAL }).verify(q, { at: SQLX_AT }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AttestationError);
    expect((e as AttestationError).kind).toBe('verify');
  });
});
