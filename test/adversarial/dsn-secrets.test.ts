/**
 * Adversarial class 4c / 4d (issue 11 §4): DSNs.
 *   c. Secrets never appear in errors: whatever part of a malformed DSN the
 *      cluster secret sits in (user, password, host, port, database,
 *      parameters), no error produced reveals it, in its message, evidence,
 *      JSON form or stack.
 *   d. `?host=` must not override the URL host, and `?port=` must not fill a
 *      missing port (accepted only when equal to the URL's).
 */
import { describe, expect, it } from 'vitest';
import { AttestationError } from '../../src/errors.js';
import { createRaTlsPool } from '../../src/postgres/connector.js';
import { parseRaTlsDsn, type RaTlsDsnInput } from '../../src/postgres/dsn.js';
import { throwsWith } from '../support/codes.js';
import { victim, VICTIM_PINS } from './support.js';

const SECRET = '5e3c'.repeat(16);
const S = SECRET;
const U = 'teesql_readwrite';

/** Bad DSNs, each carrying the secret somewhere. */
const BAD: RaTlsDsnInput[] = [
  `postgres://${S}@db:5432/app`,
  `postgres://${S}:${S}@db:5432/app`,
  `postgres://${U}${S}:${S}@db:5432/app`,
  `postgres://${S}x:@db:5432/app`,
  `postgres://${U}:${S}0@db:5432/app`,
  `postgres://${U}:${S.slice(0, 63)}@db:5432/app`,
  `postgres://${U}:${S.toUpperCase()}@db:5432/app`,
  `postgres://${U}:${S.slice(0, 62)}zz@db:5432/app`,
  `postgres://${U}:%${S}@db:5432/app`,
  `postgres://%zz${S}:${S}@db:5432/app`,
  `postgres://${U}:${S}@db:${S}/app`,
  `postgres://${U}:${S}@db:5432/app?port=${S}`,
  `postgres://${U}:${S}@db/app?port=${S}`,
  `postgres://${U}:${S}@db:5432/${S}/x`,
  `postgres://${U}:${S}@db:5432/%zz${S}`,
  `postgres://${U}:${S}@/${S}`,
  `postgres://${U}:${S}@/tmp/${S}`,
  `postgres://${U}:${S}@db:5432/app?host=${S}`,
  `postgres://${U}:${S}@db:5432/app?host=/run/${S}`,
  `postgres://${U}:${S}@db,${S}:5432/app`,
  `postgres://${U}:${S}@db:5432/app#${S}`,
  `postgres://${U}:${S}@[${S}]:5432/app`,
  `mysql://${U}:${S}@db:5432/app`,
  `${U}:${S}@db:5432/app`,
  `postgres://${U}:${S} @db:5432/app`,
  { user: S, password: S, host: 'db' },
  { user: U, password: S + S, host: 'db' },
  { user: U, password: S, host: `/run/${S}` },
  { user: U, password: S, host: 'db', port: S },
  { user: U, password: S, host: `db,${S}` },
];

function surfaces(e: unknown): string {
  const err = e as AttestationError;
  return [err.message, String(err), err.stack ?? '', JSON.stringify(err.toJSON()), JSON.stringify(err.evidence ?? {})].join('\n');
}

describe('a malformed DSN never echoes the secret', () => {
  it.each(BAD.map((d, i) => [i, d] as const))('case %i', (_i, dsn) => {
    let caught: unknown;
    try {
      parseRaTlsDsn(dsn);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(AttestationError);
    expect(['DsnInvalid', 'DsnCredentials']).toContain((caught as AttestationError).code);
    const text = surfaces(caught);
    for (const s of [SECRET, SECRET.slice(0, 16), SECRET.toUpperCase().slice(0, 16)]) expect(text).not.toContain(s);
    // The pool factory validates first and reports the same way.
    let viaPool: unknown;
    try {
      createRaTlsPool(dsn, { verifier: victim.verifier(), ...VICTIM_PINS, clientCertificate: { key: 'k', certificateChain: ['c'] } });
    } catch (e) {
      viaPool = e;
    }
    expect(surfaces(viaPool)).not.toContain(SECRET.slice(0, 16));
  });
});

describe('DSN parameters never override the authority', () => {
  it('?host= overriding the URL host is refused', () => {
    for (const d of [`postgres://${U}:${S}@db:5432/app?host=evil`, `postgres://${U}:${S}@db:5432/app?host=127.0.0.1`, `postgres://${U}:${S}@db:5432/app?host=db&host=evil`]) {
      expect(throwsWith(() => parseRaTlsDsn(d), 'DsnInvalid').evidence?.check, d).toBe('dsn.host');
    }
    // No URL host at all: ?host= does not supply one.
    throwsWith(() => parseRaTlsDsn(`postgres://${U}:${S}@:5432/app?host=db`), 'DsnInvalid');
  });

  it('?port= filling a missing port is refused; a different one too', () => {
    for (const d of [`postgres://${U}:${S}@db/app?port=6543`, `postgres://${U}:${S}@db:5432/app?port=6543`]) {
      expect(throwsWith(() => parseRaTlsDsn(d), 'DsnInvalid').evidence?.check, d).toBe('dsn.port');
    }
  });

  it('equal values are accepted', () => {
    expect(parseRaTlsDsn(`postgres://${U}:${S}@db:6543/app?host=db&port=6543`)).toMatchObject({ host: 'db', port: 6543 });
    expect(parseRaTlsDsn(`postgres://${U}:${S}@db/app`)).toMatchObject({ host: 'db', port: 5433 }); // the sidecar's default port
  });
});
