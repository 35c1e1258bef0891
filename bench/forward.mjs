#!/usr/bin/env node
/**
 * Benchmark of the RA-TLS forwarder (issue 14): connection setup time and
 * throughput through the forwarder vs a direct TLS connection to the same
 * RA-TLS server, in one run, on loopback.
 *
 *   npm run build && node bench/forward.mjs [--connections N] [--mib M]
 *
 * The server is a TLS endpoint with a simulator RA-TLS certificate (DCAP quote
 * under the simulator's fake Intel PKI) that echoes one byte per connection
 * (setup) or counts what it receives and answers the count (throughput).
 *
 *   setup      connect → first byte of the server's answer, sequential, N times:
 *              direct TLS (no verification: the floor), through the forwarder
 *              with a full verification per connection, and with pinning
 *              (the certificate verified once, its exact bytes compared after);
 *   throughput M MiB client → server until the count comes back.
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, createServer } from 'node:tls';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

if (!existsSync(new URL('../dist/forward/index.js', import.meta.url))) {
  console.error('bench/forward.mjs measures dist/: run `npm run build` first');
  process.exit(2);
}
const { createRaTlsForwarder } = await import('../dist/forward/index.js');
const { DstackSimulator } = await import('../dist/simulator/index.js');
const { toHex } = await import('../dist/lib/bytes.js');

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i === -1 ? dflt : Number(process.argv[i + 1]);
};
const N = arg('--connections', 50);
const MIB = arg('--mib', 256);

const at = Math.floor(Date.now() / 1000);
const serverSim = new DstackSimulator({ at, appId: 'aa'.repeat(20), composeHash: 'a1'.repeat(32), appName: 'db' });
const clientSim = new DstackSimulator({ at, appId: 'cc'.repeat(20), composeHash: 'c1'.repeat(32), appName: 'app' });
const sk = serverSim.getTlsKey({ subject: 'db', usage_ra_tls: true, usage_server_auth: true });
const ck = clientSim.getTlsKey({ subject: 'app', usage_ra_tls: true, usage_client_auth: true });
const clientKey = { key: ck.key, certificateChain: ck.certificate_chain };

// The "sidecar": first byte from the client → answer 'k' (setup); 'T' first → count until end (throughput).
const server = createServer({ key: sk.key, cert: sk.certificate_chain.join('\n'), requestCert: true, rejectUnauthorized: false, allowHalfOpen: true }, (s) => {
  let mode;
  let count = 0;
  s.on('error', () => {});
  s.on('data', (b) => {
    if (mode === undefined) mode = b[0] === 0x54 ? 'T' : 'S';
    if (mode === 'S') s.end('k');
    else count += b.length;
  });
  s.on('end', () => {
    if (mode === 'T') s.end(String(count));
  });
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;

const policy = {
  target: `127.0.0.1:${port}`,
  verifier: serverSim.verifier(),
  allowedMrtds: [serverSim.mrtd],
  allowedComposeHashes: [toHex(serverSim.composeHash)],
  clientCertificate: clientKey,
  warn: () => {},
};
const full = await createRaTlsForwarder({ ...policy, pinning: false }); // the result cache is on by default
const pinned = await createRaTlsForwarder({ ...policy, pinning: { ttlSeconds: 3600 } });
const portOf = (f) => Number(f.address.slice(f.address.lastIndexOf(':') + 1));

const direct = () =>
  tlsConnect({ host: '127.0.0.1', port, key: clientKey.key, cert: clientKey.certificateChain.join('\n'), rejectUnauthorized: false, checkServerIdentity: () => undefined, minVersion: 'TLSv1.2' });
const via = (f) => () => netConnect(portOf(f), '127.0.0.1');

/** connect → first answer byte, in ms. */
function setupOnce(open) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const s = open();
    s.on('error', reject);
    s.write('S');
    s.once('data', () => {
      const ms = performance.now() - t0;
      s.destroy();
      resolve(ms);
    });
  });
}

/** MiB/s for MIB MiB client → server. */
function throughput(open) {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 0x54);
    const total = MIB * 1024 * 1024;
    const t0 = performance.now();
    const s = open();
    let sent = 0;
    let answer = '';
    s.on('error', reject);
    const pump = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!s.write(chunk)) return void s.once('drain', pump);
      }
      s.end();
    };
    pump();
    s.on('data', (b) => (answer += b.toString()));
    s.on('close', () => {
      if (Number(answer) !== total) return reject(new Error(`server counted ${answer}, sent ${total}`));
      resolve(MIB / ((performance.now() - t0) / 1000));
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function setup(open) {
  await setupOnce(open); // warm-up (client key, JIT)
  const xs = [];
  for (let i = 0; i < N; i++) xs.push(await setupOnce(open));
  return median(xs);
}

const rows = [];
const sDirect = await setup(direct);
const sFull = await setup(via(full));
const sPinned = await setup(via(pinned));
const tDirect = await throughput(direct);
const tFwd = await throughput(via(full));
await full.close();
await pinned.close();
server.close();

rows.push(['setup, direct TLS (no verification)', `${sDirect.toFixed(2)} ms`, '1.00']);
rows.push(['setup, forwarder (full RA-TLS verification)', `${sFull.toFixed(2)} ms`, (sFull / sDirect).toFixed(2)]);
rows.push(['setup, forwarder (pinned certificate)', `${sPinned.toFixed(2)} ms`, (sPinned / sDirect).toFixed(2)]);
rows.push([`throughput ${MIB} MiB, direct TLS`, `${tDirect.toFixed(0)} MiB/s`, '1.00']);
rows.push([`throughput ${MIB} MiB, forwarder`, `${tFwd.toFixed(0)} MiB/s`, (tFwd / tDirect).toFixed(2)]);
console.log(`node ${process.version}, ${N} sequential connections (median), one run`);
for (const [name, v, ratio] of rows) console.log(`${name.padEnd(46)} ${v.padStart(12)}   ratio ${ratio}`);
