/**
 * DSN port rules (issue 13 §3): a DSN without a port reaches the teesql
 * sidecar's RA-TLS listener, 5433 (PostgreSQL's 5432 sits behind it); a
 * `?port=` parameter still never fills a missing port (issue 11 §4).
 */
import { describe, expect, it } from 'vitest';
import { parseRaTlsDsn, SIDECAR_DEFAULT_PORT } from '../../src/postgres/dsn.js';
import { throwsWith } from '../support/codes.js';

const S = '5e'.repeat(32);

describe('DSN default port', () => {
  it('no port: the sidecar port 5433 (URL and config object)', () => {
    expect(SIDECAR_DEFAULT_PORT).toBe(5433);
    expect(parseRaTlsDsn(`postgres://teesql_readwrite:${S}@db.example/app`).port).toBe(5433);
    expect(parseRaTlsDsn(`postgresql://teesql_read:${S}@[::1]/app`).port).toBe(5433);
    expect(parseRaTlsDsn({ user: 'teesql_read', password: S, host: 'db' }).port).toBe(5433);
    expect(parseRaTlsDsn({ user: 'teesql_read', password: S, host: 'db', port: '' }).port).toBe(5433);
  });

  it('an explicit port wins, including 5432', () => {
    expect(parseRaTlsDsn(`postgres://teesql_readwrite:${S}@db:5432/app`).port).toBe(5432);
    expect(parseRaTlsDsn(`postgres://teesql_readwrite:${S}@db:6543/app?port=6543`).port).toBe(6543);
  });

  it('?port= never fills the missing port (it is refused, not defaulted)', () => {
    const e = throwsWith(() => parseRaTlsDsn(`postgres://teesql_readwrite:${S}@db/app?port=5432`), 'DsnInvalid');
    expect(e.evidence?.field).toBe('port');
    throwsWith(() => parseRaTlsDsn(`postgres://teesql_readwrite:${S}@db/app?port=5433`), 'DsnInvalid');
  });
});
