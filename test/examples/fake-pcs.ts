/**
 * A fake Intel PCS / PCCS (API v4) on 127.0.0.1, serving one collateral
 * bundle (collateral/*.json) the way the PCS serves it: TCB Info and QE
 * Identity bodies with percent-encoded PEM issuer-chain headers, the PCK CRL
 * as DER, the root CA CRL as hex (PCCS style). Counts requests per path.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakePcs {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

interface Bundle {
  request: { teeType: 'SGX' | 'TDX'; fmspc: string; ca: 'platform' | 'processor' };
  collateral: {
    tcbInfo: string;
    tcbInfoIssuerChain: string;
    qeIdentity: string;
    qeIdentityIssuerChain: string;
    pckCrl: string;
    pckCrlIssuerChain: string;
    rootCaCrl: string;
  };
}

/** `cors`: answer cross-origin requests (a browser page) and expose the issuer-chain headers. */
export async function startFakePcs(bundleFile: string, options: { cors?: boolean } = {}): Promise<FakePcs> {
  const { request, collateral: c } = JSON.parse(readFileSync(bundleFile, 'utf8')) as Bundle;
  const tee = request.teeType.toLowerCase();
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${u.pathname}${u.search}`);
    if (options.cors) {
      res.setHeader('Access-Control-Allow-Origin', '*');
      res.setHeader('Access-Control-Expose-Headers', 'TCB-Info-Issuer-Chain, SGX-Enclave-Identity-Issuer-Chain, SGX-PCK-CRL-Issuer-Chain');
    }
    const send = (body: string | Buffer, headers: Record<string, string> = {}) => res.writeHead(200, headers).end(body);
    if (req.method !== 'GET') return void res.writeHead(405).end();
    if (u.pathname === `/${tee}/certification/v4/tcb` && u.searchParams.get('fmspc')?.toLowerCase() === request.fmspc) {
      return send(c.tcbInfo, { 'content-type': 'application/json', 'TCB-Info-Issuer-Chain': encodeURIComponent(c.tcbInfoIssuerChain) });
    }
    if (u.pathname === `/${tee}/certification/v4/qe/identity`) {
      return send(c.qeIdentity, { 'content-type': 'application/json', 'SGX-Enclave-Identity-Issuer-Chain': encodeURIComponent(c.qeIdentityIssuerChain) });
    }
    if (u.pathname === '/sgx/certification/v4/pckcrl' && u.searchParams.get('ca') === request.ca) {
      return send(Buffer.from(c.pckCrl, 'hex'), { 'content-type': 'application/pkix-crl', 'SGX-PCK-CRL-Issuer-Chain': encodeURIComponent(c.pckCrlIssuerChain) });
    }
    if (u.pathname === '/sgx/certification/v4/rootcacrl') return send(c.rootCaCrl, { 'content-type': 'text/plain' });
    res.writeHead(404).end();
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
