/**
 * `tee-attest inspect FILE` as a real process: every kind it recognises, in
 * every encoding it detects (binary, hex, base64, PEM, JSON), human and --json.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { skipWithoutBuild } from '../support/built.js';

const CLI = resolve('dist/cli/main.js');
/** Skipped only without a build outside CI (test/support/built.ts). */
const SKIP = skipWithoutBuild(CLI, 'test/cli/inspect');
const V = 'vectors/dcap/dcap-qvl/';
const R = 'vectors/ratls/';

function inspect(path: string, json = true): { code: number; out: any; text: string } {
  try {
    const text = execFileSync(process.execPath, [CLI, 'inspect', path, ...(json ? ['--json'] : [])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, out: json ? JSON.parse(text) : undefined, text };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, out: json && err.stdout ? JSON.parse(err.stdout) : undefined, text: err.stdout + err.stderr };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tee-attest-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const collateral = JSON.parse(readFileSync(`${V}sgx_quote_collateral.json`, 'utf8')) as Record<string, string>;
const sgxQuote = readFileSync(`${V}sgx_quote`);

describe.skipIf(SKIP)('tee-attest inspect', () => {
  it('a quote: binary, hex and base64 are detected', () => {
    for (const [path, encoding] of [
      [`${V}sgx_quote`, 'binary'],
      [file('q.hex', sgxQuote.toString('hex')), 'hex'],
      [file('q.b64', sgxQuote.toString('base64')), 'base64'],
    ] as const) {
      const r = inspect(path);
      expect(r.code, path).toBe(0);
      expect(r.out).toMatchObject({ ok: true, kind: 'quote', encoding, summary: 'SGX quote v3 (4600 bytes)', error: null });
      expect(r.out.decoded.body.mrEnclave).toMatch(/^33d8736d/);
    }
    const tdx = inspect(`${V}tdx-quote.hex`);
    expect(tdx.out).toMatchObject({ kind: 'quote', encoding: 'hex', decoded: { teeType: 'TDX', version: 4 } });
  });

  it('a readable decode without --json', () => {
    const r = inspect(`${V}sgx_quote`, false);
    expect(r.code).toBe(0);
    expect(r.text).toContain(`${V}sgx_quote: SGX quote v3 (4600 bytes)`);
    expect(r.text).toContain('kind: quote, encoding: binary');
    expect(r.text).toMatch(/mrEnclave: 33d8736d/);
  });

  it('certificates: a PEM root, a PEM chain, an RA-TLS certificate (DER and PEM) with its attestation', () => {
    const root = inspect('vectors/dcap/intel-qvl/Src/AttestationApp/sampleData/tdx/trustedRootCaCert.pem');
    expect(root.out).toMatchObject({ kind: 'certificate', encoding: 'pem', decoded: { subject: expect.stringContaining('CN=Intel SGX Root CA') } });
    const chain = inspect(`${R}synth-ratls-v0-oid8-bound.chain.pem`);
    expect(chain.out).toMatchObject({ kind: 'certificate-chain', encoding: 'pem' });
    expect(chain.out.decoded).toHaveLength(2);
    const der = inspect(`${R}synth-ratls-v0-oid8-bound.der`);
    expect(der.out).toMatchObject({ kind: 'ra-tls-certificate', encoding: 'binary', decoded: { raTls: { source: 'attestation-extension' } } });
    expect(der.out.decoded.raTls.attestation.quote.teeType).toBe('TDX');
    const legacy = inspect(`${R}synth-ratls-legacy-oid1-oid2-bound.pem`);
    expect(legacy.out).toMatchObject({ kind: 'ra-tls-certificate', encoding: 'pem', decoded: { raTls: { source: 'legacy-quote-extension' } } });
  });

  it('a PCK certificate shows its SGX extension', () => {
    const q = inspect(`${V}sgx_quote`).out;
    const pem = q.decoded.signatureData.certificationData.pemChain as string | undefined;
    expect(pem).toBeDefined();
    const leaf = pem!.slice(0, pem!.indexOf('-----END CERTIFICATE-----') + 25);
    const r = inspect(file('pck.pem', leaf));
    expect(r.out).toMatchObject({ kind: 'certificate', decoded: { sgxExtension: { fmspc: '00a067110000' } } });
  });

  it('a CRL (hex, as in collateral), an RA-TLS attestation payload', () => {
    const crl = inspect(file('crl.hex', collateral['pck_crl']!));
    expect(crl.out).toMatchObject({ kind: 'crl', encoding: 'hex', decoded: { issuerText: expect.stringContaining('PCK Processor CA') } });
    const att = inspect(`${R}sdk-simulator-attestation.bin`);
    expect(att.out).toMatchObject({ kind: 'ra-tls-attestation', encoding: 'binary', decoded: { format: 'scale-v0' } });
  });

  it('collateral JSON, a bundle, a TCB Info, a QE Identity, a sidecar report', () => {
    expect(inspect(`${V}sgx_quote_collateral.json`).out).toMatchObject({ kind: 'collateral', encoding: 'json', decoded: { tcbInfo: { id: 'SGX', fmspc: '00a067110000' } } });
    const tcb = file('tcb.json', JSON.stringify({ tcbInfo: JSON.parse(collateral['tcb_info']!), signature: collateral['tcb_info_signature'] }));
    expect(inspect(tcb).out).toMatchObject({ kind: 'tcb-info', decoded: { id: 'SGX', fmspc: '00a067110000' } });
    const qe = file('qe.json', JSON.stringify({ enclaveIdentity: JSON.parse(collateral['qe_identity']!), signature: collateral['qe_identity_signature'] }));
    expect(inspect(qe).out).toMatchObject({ kind: 'qe-identity', decoded: { id: 'QE' } });
    const tdxQuote = readFileSync(`${V}tdx_quote`);
    const tcbInfo = { mrtd: 'aa'.repeat(48), rtmr0: 'aa'.repeat(48), rtmr1: 'aa'.repeat(48), rtmr2: 'aa'.repeat(48), rtmr3: 'aa'.repeat(48) };
    const postgresState = { wal_lsn: '16/B374D848', controldata_hash: 'ab'.repeat(32), pg_version: 'PostgreSQL 16.4' };
    const doc = { app_id: 'cd'.repeat(20), compose_hash: 'ef'.repeat(32), instance_id: 'i-1', quote: tdxQuote.toString('hex'), tcb_info: tcbInfo, postgres_state: postgresState, timestamp: 1750328400 };
    const report = file('report.json', JSON.stringify(doc));
    expect(inspect(report).out).toMatchObject({ kind: 'sidecar-report', decoded: { postgresState: { walLsn: '16/B374D848' }, timestamp: '2025-06-19T10:20:00Z', quote: { teeType: 'TDX' } } });
    const bundle = inspect('vectors/dcap/bundles/intel-qvl-tdx.json');
    expect(bundle.code).toBe(0);
    expect(['collateral', 'collateral-bundle']).toContain(bundle.out.kind);
  });

  it('unrecognised input: exit 2 naming what inspect reads; an unreadable file: usage error (exit 1)', () => {
    const r = inspect(file('junk.bin', Uint8Array.of(1, 2, 3, 255)));
    expect(r.code).toBe(2);
    expect(r.out).toMatchObject({ ok: false, kind: null, error: { message: expect.stringContaining('inspect reads a quote') } });
    const missing = inspect(join(dir, 'missing'));
    expect(missing.code).toBe(1);
    expect(missing.out.error).toMatchObject({ kind: 'usage', evidence: { field: '--file' } });
  });
});
