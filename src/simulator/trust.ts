/**
 * Client side of the simulator's trust material (Node only): fetch the fake
 * Intel root key and collateral from a running simulator
 * (`POST /TeeAttestSimulatorTrust`, not a dstack method) and build a
 * DcapVerifier from them. DEVELOPMENT ONLY: the resulting verifier accepts
 * quotes anyone can mint.
 */
import { attestationError } from '../errors.js';
import { guestAgentCall, resolveGuestAgentEndpoint, type GuestAgentOptions } from '../postgres/guest-agent.js';
import type { DcapVerifier } from '../verifier/dcap-verifier.js';
import type { VerifierClock } from '../verifier/types.js';
import { simulatorDcapVerifier, type SimulatorTrust } from './simulator.js';

/** Fetches a simulator's trust material (endpoint: DSTACK_SIMULATOR_ENDPOINT unless given). */
export async function fetchSimulatorTrust(options: GuestAgentOptions = {}): Promise<SimulatorTrust> {
  const endpoint = resolveGuestAgentEndpoint(options);
  const t = await guestAgentCall<Partial<SimulatorTrust>>(endpoint, 'TeeAttestSimulatorTrust', {}, options);
  if (typeof t.root_public_key !== 'string' || typeof t.collateral !== 'object' || t.collateral === null || typeof t.at !== 'number') {
    throw attestationError('DstackAgent', `${endpoint} is not a tee-attest simulator (no TeeAttestSimulatorTrust answer)`, { check: 'simulator.trust' });
  }
  return t as SimulatorTrust;
}

/**
 * A DcapVerifier trusting a running simulator's FAKE root. Warns on the
 * console: never use outside development and tests.
 */
export async function simulatorVerifier(options: GuestAgentOptions & { clock?: VerifierClock; quiet?: boolean } = {}): Promise<DcapVerifier> {
  const trust = await fetchSimulatorTrust(options);
  if (options.quiet !== true) {
    console.warn('[tee-attest] simulatorVerifier: trusting the tee-attest simulator\'s FAKE Intel root. Development and tests only.');
  }
  return simulatorDcapVerifier(trust, options.clock === undefined ? {} : { clock: options.clock });
}
