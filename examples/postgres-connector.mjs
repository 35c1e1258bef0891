// Query PostgreSQL over mutual RA-TLS with the node-postgres connector.
//
// Against the local simulator (development only; needs PostgreSQL's initdb/postgres):
//   npx tee-attest-sim up --postgres --socket /tmp/dstack.sock     # terminal 1, prints the export lines
//   export DSTACK_SIMULATOR_ENDPOINT=/tmp/dstack.sock DATABASE_URL=postgres://teesql_readwrite:<64 hex>@127.0.0.1:5433/postgres
//   export EXPECTED_MRTD=<the mrtd printed by the simulator> EXPECTED_COMPOSE_HASH=<its composeHash>
//   node examples/postgres-connector.mjs
//
// PINS this example uses (what the server must prove before `pg` sends a byte):
//   - trust root: the SIMULATOR's fake Intel root, via simulatorVerifier(). It is
//     NOT Intel's root and is only for development. In production use
//     DcapVerifier (Intel's pinned root, PCS/PCCS collateral) or IntelApiVerifier.
//   - MRTD: exactly EXPECTED_MRTD (allowedMrtds). Pin your own image's value.
//   - compose hash: exactly EXPECTED_COMPOSE_HASH (allowedComposeHashes), read from
//     the event log replayed into RTMR3. The connector refuses to start without a
//     platform pin (MRTD or OS image) AND an application pin (compose hash or app id).
//   - defaults left on: key binding of the certificate to the quote, event log
//     replay to RTMR3, debug TDs refused, TCB status in the default acceptable set.
import { createRaTlsPool } from 'tee-attest/postgres';
import { simulatorVerifier } from 'tee-attest/simulator';

const { DATABASE_URL, EXPECTED_MRTD, EXPECTED_COMPOSE_HASH } = process.env;
if (!DATABASE_URL || !EXPECTED_MRTD || !EXPECTED_COMPOSE_HASH) {
  console.error('set DATABASE_URL, EXPECTED_MRTD and EXPECTED_COMPOSE_HASH (and DSTACK_SIMULATOR_ENDPOINT): see the comment at the top');
  process.exit(2);
}

const pool = createRaTlsPool(DATABASE_URL, {
  verifier: await simulatorVerifier({ quiet: true }), // the simulator's fake root: development only
  allowedMrtds: [EXPECTED_MRTD],
  allowedComposeHashes: [EXPECTED_COMPOSE_HASH],
  onVerified: (e) => console.log(`verified ${e.host}:${e.port}: mrtd and compose hash pinned, ${e.pinned ? 'pin hit' : 'full verification'}`),
});
try {
  const { rows } = await pool.query('SELECT current_user AS who, 6 * 7 AS answer');
  console.log(`connected as ${rows[0].who}; 6 * 7 = ${rows[0].answer}`);
} finally {
  await pool.end();
}
