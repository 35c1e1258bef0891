/** Forwarder addresses: parsing, loopback classification, formatting, driver URLs. */
import { describe, expect, it } from 'vitest';
import { formatAddress, isLoopbackHost, parseListen, parseTarget } from '../../src/forward/address.js';
import { driverUrl } from '../../src/forward/command.js';
import { throwsWith } from '../ra-tls/helpers.js';

describe('forwarder addresses', () => {
  it('parses targets and listeners (IPv6 in brackets, Unix sockets) and refuses the rest with InvalidArgument', () => {
    expect(parseTarget('db.example:5433')).toEqual({ host: 'db.example', port: 5433 });
    expect(parseTarget('[::1]:5433')).toEqual({ host: '::1', port: 5433 });
    expect(parseTarget({ host: '10.0.0.1', port: 1 })).toEqual({ host: '10.0.0.1', port: 1 });
    expect(parseListen(undefined)).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 0 });
    expect(parseListen('127.0.0.1:6432')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 6432 });
    expect(parseListen('unix:/run/app/.s.PGSQL.5432')).toEqual({ kind: 'unix', path: '/run/app/.s.PGSQL.5432', mode: 0o600 });
    expect(parseListen({ path: '/tmp/s', mode: 0o660 })).toEqual({ kind: 'unix', path: '/tmp/s', mode: 0o660 });
    for (const bad of ['db', 'db:0', 'db:65536', '[db]:1', 'a b:1', 'user@db:1', 5433, null, undefined]) throwsWith(() => parseTarget(bad), 'InvalidArgument');
    for (const bad of ['127.0.0.1', ':1', 'unix:', { path: '/tmp/s', mode: 0o606 }, { path: '/tmp/s', mode: 0o1000 }, 7]) throwsWith(() => parseListen(bad), 'InvalidArgument');
  });

  it('classifies loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'db.example', 'localhost.evil.example']) expect(isLoopbackHost(h)).toBe(false);
  });

  it('formats addresses and the URL to give a driver', () => {
    expect(formatAddress({ host: '::1', port: 5 })).toBe('[::1]:5');
    expect(driverUrl('127.0.0.1:6432')).toBe('postgres://USER:PASSWORD@127.0.0.1:6432/DB?sslmode=disable');
    expect(driverUrl('/run/app/.s.PGSQL.5432')).toBe('postgres://USER:PASSWORD@/DB?host=/run/app&port=5432');
    expect(driverUrl('/tmp/other.sock')).toMatch(/name the socket DIR\/\.s\.PGSQL\.PORT/);
  });
});
