// Put a local RA-TLS forwarder in front of the sidecar and query through it with
// a plain `pg` client: the client speaks ordinary Postgres (TLS off) to a
// loopback port; the forwarder verifies the sidecar (mutual RA-TLS) on every
// connection before it relays a single byte. Any driver or tool (psql,
// postgres.js, Python, Go, ...) can take the `pg` client's place.
//
// Against the local simulator (development only; needs PostgreSQL's initdb/postgres):
//   npx tee-attest-sim up --postgres --socket /tmp/dstack.sock     # terminal 1, prints the export lines
//   export DSTACK_SIMULATOR_ENDPOINT=/tmp/dstack.sock DATABASE_URL=postgres://teesql_readwrite:<64 hex>@127.0.0.1:5433/postgres
//   export EXPECTED_MRTD=<the mrtd printed by the simulator> EXPECTED_COMPOSE_HASH=<its composeHash>
//   node examples/forward.mjs
//
// DATABASE_URL is the sidecar's DSN: its host:port is the forwarder's target
// (SIDECAR_ADDRESS overrides it), its user, password and database are what the
// `pg` client sends through the forwarder.
//
// PINS this example uses (what the sidecar must prove before the forwarder relays):
//   - trust root: the SIMULATOR's fake Intel root, via simulatorVerifier(). It is
//     NOT Intel's root and is only for development. In production use
//     DcapVerifier (Intel's pinned root, PCS/PCCS collateral) or IntelApiVerifier.
//   - MRTD: exactly EXPECTED_MRTD (allowedMrtds). Pin your own image's value.
//   - compose hash: exactly EXPECTED_COMPOSE_HASH (allowedComposeHashes), read from
//     the event log replayed into RTMR3. The forwarder refuses to start without a
//     platform pin (MRTD or OS image) AND an application pin (compose hash or app id).
//   - defaults left on: loopback listener only, key binding of the certificate to
//     the quote, event log replay to RTMR3, debug TDs refused, TCB status in the
//     default acceptable set.
import pg from 'pg';
import { createRaTlsForwarder } from 'tee-attest/forward';
import { simulatorVerifier } from 'tee-attest/simulator';

const { DATABASE_URL, EXPECTED_MRTD, EXPECTED_COMPOSE_HASH, SIDECAR_ADDRESS } = process.env;
if (!DATABASE_URL || !EXPECTED_MRTD || !EXPECTED_COMPOSE_HASH) {
  console.error('set DATABASE_URL, EXPECTED_MRTD and EXPECTED_COMPOSE_HASH (and DSTACK_SIMULATOR_ENDPOINT): see the comment at the top');
  process.exit(2);
}
const dsn = new URL(DATABASE_URL);

const forwarder = await createRaTlsForwarder({
  target: SIDECAR_ADDRESS ?? dsn.host,
  listen: '127.0.0.1:0', // a free loopback port (the default)
  verifier: await simulatorVerifier({ quiet: true }), // the simulator's fake root: development only
  allowedMrtds: [EXPECTED_MRTD],
  allowedComposeHashes: [EXPECTED_COMPOSE_HASH],
  onEvent: (e) => {
    if (e.type === 'verified') console.log(`forwarder verified the sidecar: mrtd and compose hash pinned, tcb ${e.tcbStatus}`);
    if (e.type === 'refused') console.error(`forwarder refused the sidecar: ${e.code}: ${e.message}`);
  },
});
console.log(`forwarder listening on ${forwarder.address}`);

// A plain node-postgres client, not the connector: TLS off, to the forwarder.
const client = new pg.Client({
  host: forwarder.listen.host,
  port: forwarder.listen.port,
  user: decodeURIComponent(dsn.username),
  password: decodeURIComponent(dsn.password),
  database: dsn.pathname.slice(1) || 'postgres',
  ssl: false,
});
try {
  await client.connect();
  const { rows } = await client.query('SELECT current_user AS who, 6 * 7 AS answer');
  console.log(`connected as ${rows[0].who}; 6 * 7 = ${rows[0].answer}`);
  await client.end();
} catch (e) {
  console.error(`query failed: ${e.message}`);
  process.exitCode = 1;
} finally {
  await forwarder.close({ drainTimeoutMs: 0 });
}
