/**
 * The statements of docs/postgres.md "DSN rules" about pg-style configs:
 * a `{ connectionString }` object is not a DSN (DsnCredentials, no I/O), and
 * the connector-owned keys in the extra config are InvalidArgument.
 */
import { describe, expect, it } from 'vitest';
import { createRaTlsPool, RaTlsConnector } from '../../src/postgres/index.js';
import { DstackSimulator } from '../../src/simulator/index.js';

const secret = 'ab'.repeat(32);
const url = `postgres://teesql_readwrite:${secret}@127.0.0.1:5433/postgres`;
const sim = new DstackSimulator({ label: 'dsn doc' });
const tls = sim.getTlsKey({ usage_ra_tls: true, usage_client_auth: true });
const options = {
  verifier: sim.verifier(),
  allowedMrtds: [sim.mrtd],
  allowedComposeHashes: [Buffer.from(sim.composeHash).toString('hex')],
  clientCertificate: { key: tls.key, certificateChain: tls.certificate_chain },
};

describe('docs/postgres.md: pg-style configs', () => {
  it('{ connectionString } as the DSN is DsnCredentials (the object form reads only user, password, host, ...)', () => {
    let e: unknown;
    try {
      createRaTlsPool({ connectionString: url } as unknown as string, options);
    } catch (x) {
      e = x;
    }
    expect(e).toMatchObject({ code: 'DsnCredentials', evidence: { check: 'dsn.user', found: 'none' } });
    expect(String((e as Error).message)).not.toContain(secret);
  });

  it.each(['connectionString', 'ssl', 'stream', 'user', 'password', 'host', 'port', 'database'])('%s in the extra config is InvalidArgument', (k) => {
    const connector = new RaTlsConnector(options);
    expect(() => connector.poolConfig(url, { [k]: 'x' } as object)).toThrow(expect.objectContaining({ code: 'InvalidArgument' }));
  });
});
