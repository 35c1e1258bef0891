/**
 * Adversarial class 3 (issue 11 §3): credentials go to any genuine TD by
 * default. Without an identity pin, (allowedMrtds or allowedOsImageHashes)
 * AND (allowedComposeHashes or allowedAppIds), the connector and the pool
 * refuse to start; `allowAnyTd: true` is the named relaxation and warns once.
 * An empty allow-list is InvalidArgument at construction.
 */
import { describe, expect, it } from 'vitest';
import { createRaTlsConnector, createRaTlsPool, type RaTlsConnectorOptions } from '../../src/postgres/connector.js';
import { requireIdentityPins } from '../../src/ra-tls/identity-pins.js';
import * as ratlsBarrel from '../../src/ra-tls/exports.js';
import * as postgresBarrel from '../../src/postgres/index.js';
import { throwsWith } from '../support/codes.js';
import { tlsKeyOf } from '../postgres/support.js';
import { victim, VICTIM_APP_ID, VICTIM_COMPOSE_HASH } from './support.js';

const DSN = `postgres://teesql_readwrite:${'5e'.repeat(32)}@127.0.0.1:5432/postgres`;
const base = {
  verifier: victim.verifier(),
  clientCertificate: tlsKeyOf(victim.getTlsKey({ usage_ra_tls: true, usage_client_auth: true })),
};
const MRTD = victim.mrtd;
const OS = 'b0'.repeat(32);

describe('the connector and the pool refuse to start without identity pins', () => {
  const cases: [string, Partial<RaTlsConnectorOptions>, string][] = [
    ['no pins at all (the old quick start)', {}, 'allowedMrtds or allowedOsImageHashes and allowedComposeHashes or allowedAppIds'],
    ['an MRTD pin only', { allowedMrtds: [MRTD] }, 'allowedComposeHashes or allowedAppIds'],
    ['an app pin only', { allowedComposeHashes: [VICTIM_COMPOSE_HASH] }, 'allowedMrtds or allowedOsImageHashes'],
    ['RTMR pins are not an identity', { allowedRtmrs: { 3: ['00'.repeat(48)] } }, 'allowedMrtds or allowedOsImageHashes and allowedComposeHashes or allowedAppIds'],
  ];
  it.each(cases)('%s', (_name, pins, missing) => {
    for (const make of [() => createRaTlsConnector({ ...base, ...pins }), () => createRaTlsPool(DSN, { ...base, ...pins })]) {
      const e = throwsWith(make, 'InvalidArgument');
      expect(e.evidence?.check).toBe('options.identityPins');
      expect(e.evidence?.expected).toBe(missing);
    }
  });

  it('any TD pin with any app pin is enough', () => {
    for (const pins of [
      { allowedMrtds: [MRTD], allowedComposeHashes: [VICTIM_COMPOSE_HASH] },
      { allowedMrtds: [MRTD], allowedAppIds: [VICTIM_APP_ID] },
      { allowedOsImageHashes: [OS], allowedComposeHashes: [VICTIM_COMPOSE_HASH] },
      { allowedOsImageHashes: [OS], allowedAppIds: [VICTIM_APP_ID] },
    ]) {
      expect(() => createRaTlsConnector({ ...base, ...pins })).not.toThrow();
    }
  });

  it('allowAnyTd: true is the named relaxation and warns once', () => {
    const messages: string[] = [];
    const warn = (m: string): void => void messages.push(m);
    createRaTlsConnector({ ...base, allowAnyTd: true, warn });
    createRaTlsConnector({ ...base, allowAnyTd: true, warn });
    createRaTlsPool(DSN, { ...base, allowAnyTd: true, warn });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/allowAnyTd.*ANY genuine TD/);
    throwsWith(() => createRaTlsConnector({ ...base, allowAnyTd: 'yes' as unknown as boolean }), 'InvalidArgument');
  });

  it('an empty allow-list is InvalidArgument at construction, even with allowAnyTd', () => {
    for (const field of ['allowedMrtds', 'allowedComposeHashes', 'allowedAppIds', 'allowedOsImageHashes'] as const) {
      const pins = { allowedMrtds: [MRTD], allowedComposeHashes: [VICTIM_COMPOSE_HASH], [field]: [] };
      expect(throwsWith(() => createRaTlsConnector({ ...base, ...pins }), 'InvalidArgument').evidence?.field).toBe(field);
      throwsWith(() => createRaTlsConnector({ ...base, allowAnyTd: true, ...pins }), 'InvalidArgument');
    }
    throwsWith(() => createRaTlsConnector({ ...base, allowedMrtds: [MRTD], allowedComposeHashes: [VICTIM_COMPOSE_HASH], allowedRtmrs: { 3: [] } }), 'InvalidArgument');
  });

  it('the shared rules are exported for the other credential paths (forwarder, probe)', () => {
    expect(ratlsBarrel.requireIdentityPins).toBe(requireIdentityPins);
    expect(typeof postgresBarrel.connectRaTlsSocket).toBe('function');
    expect(typeof ratlsBarrel.replayedAppClaims).toBe('function');
  });

  it('requireIdentityPins is the one exported rule', () => {
    throwsWith(() => requireIdentityPins({}, 'probe'), 'InvalidArgument');
    expect(() => requireIdentityPins({ allowedMrtds: [MRTD], allowedAppIds: [VICTIM_APP_ID] }, 'probe')).not.toThrow();
    const seen: string[] = [];
    requireIdentityPins({ allowAnyTd: true }, 'forwarder', (m) => seen.push(m));
    requireIdentityPins({ allowAnyTd: true }, 'forwarder', (m) => seen.push(m));
    expect(seen.length).toBeGreaterThanOrEqual(1);
    expect(throwsWith(() => requireIdentityPins({}, 'forwarder'), 'InvalidArgument').message).toContain('forwarder');
  });
});
