/**
 * The attested Noise channel.
 *
 *   connectAttested (initiator)                  acceptAttested (responder, in the TEE)
 *   -> e, es            [empty payload]          refuses a non-empty payload (no 0-RTT data)
 *   <- e, ee            [evidence(REPORT_DATA =  responder binding, binding.ts)]
 *   verify evidence, binding, policy; on any failure: close, throw, nothing sent
 *   mutual (XK) only:
 *   -> s, se            [evidence(REPORT_DATA =  initiator binding)]
 *                                                verify the same way before any transport message
 *   Split() → AttestedNoiseSession on both sides
 *
 * NK when only the responder attests (the initiator is a browser or any
 * client); XK when both are TEEs: the same first two messages (the responder
 * is attested at the same point), plus the initiator's static key, encrypted,
 * with its evidence. XK rather than KK: replicas learn each other's static
 * keys from the evidence instead of needing them in advance, and the
 * initiator's key stays hidden from passive observers.
 */
import { noiseReportData } from './binding.js';
import { appraiseEvidence, checkAppraisal, type NoiseAppraisal, type NoiseTrustDecision } from './appraisal.js';
import { checkChannel, receiveMessage, sendMessage, type NoiseMessageChannel } from './channel.js';
import type { CipherState } from './cipher-state.js';
import { noiseFail } from './fail.js';
import { HandshakeState, MAX_NOISE_MESSAGE, x25519KeyPair } from './handshake.js';
import { encodeEvidencePayload, type NoiseEvidence } from './payload.js';
import type { TimeInput } from '../lib/time.js';

/** Produces this side's evidence for the given 64 REPORT_DATA bytes (an SNP extended report, a TDX quote). */
export type NoiseEvidenceProducer = (reportData: Uint8Array) => NoiseEvidence | Promise<NoiseEvidence>;

export interface ConnectAttestedOptions {
  /** The responder's static X25519 public key (32 bytes). It may come from an untrusted directory: the evidence must bind it. */
  readonly responderStaticKey: Uint8Array;
  /** How the responder's evidence is verified and appraised. */
  readonly appraisal: NoiseAppraisal;
  /** Verification time; default: the verifier's own clock. */
  readonly at?: TimeInput;
  /** Noise prologue (e.g. a protocol / service name both sides agree on). Default empty. */
  readonly prologue?: Uint8Array;
  /** Mutual attestation (XK): this side's static private key and evidence. */
  readonly mutual?: { readonly staticKey: Uint8Array; readonly evidence: NoiseEvidenceProducer };
  /** Aborts the handshake (NoiseTransport). */
  readonly signal?: AbortSignal;
}

export interface AcceptAttestedOptions {
  /** The responder's static X25519 private key (32 bytes). Generate it inside the TEE. */
  readonly staticKey: Uint8Array;
  /** This TEE's evidence for the REPORT_DATA of this handshake. */
  readonly evidence: NoiseEvidenceProducer;
  readonly prologue?: Uint8Array;
  /** Mutual attestation (XK): how the initiator's evidence is appraised. */
  readonly mutual?: { readonly appraisal: NoiseAppraisal; readonly at?: TimeInput };
  readonly signal?: AbortSignal;
}

/** Max plaintext of one transport message. */
export const MAX_NOISE_PLAINTEXT = MAX_NOISE_MESSAGE - 16;

/** An established channel: transport messages only after the peer's evidence passed (or, for the NK responder, after its own was sent). */
export class AttestedNoiseSession<P extends NoiseTrustDecision | undefined = NoiseTrustDecision | undefined> {
  /** The peer's trust decision; undefined on the responder of NK (the initiator is not attested). */
  readonly peer: P;
  /** The final handshake hash (a channel binding value, §11.2). */
  readonly handshakeHash: Uint8Array;
  readonly #channel: NoiseMessageChannel;
  readonly #tx: CipherState;
  readonly #rx: CipherState;
  #closed = false;

  /** @internal */
  constructor(channel: NoiseMessageChannel, tx: CipherState, rx: CipherState, h: Uint8Array, peer: P) {
    this.#channel = channel;
    this.#tx = tx;
    this.#rx = rx;
    this.handshakeHash = h;
    this.peer = peer;
  }

  async send(plaintext: Uint8Array): Promise<void> {
    if (this.#closed) noiseFail('NoiseState', 'the session is closed', { check: 'noise.session.state' });
    if (!(plaintext instanceof Uint8Array) || plaintext.length > MAX_NOISE_PLAINTEXT) {
      noiseFail('InvalidArgument', `a transport message is bytes, at most ${MAX_NOISE_PLAINTEXT}`, { check: 'noise.session.send' });
    }
    await sendMessage(this.#channel, this.#tx.encryptWithAd(new Uint8Array(0), plaintext));
  }

  async receive(): Promise<Uint8Array> {
    if (this.#closed) noiseFail('NoiseState', 'the session is closed', { check: 'noise.session.state' });
    const m = await receiveMessage(this.#channel);
    try {
      return this.#rx.decryptWithAd(new Uint8Array(0), m);
    } catch (e) {
      this.close(); // a forged or reordered message ends the session
      throw e;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#tx.clear();
    this.#rx.clear();
    this.#channel.close?.();
  }
}

function checkKey(v: unknown, where: string): Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== 32) noiseFail('InvalidArgument', `${where} must be 32 bytes`, { check: where });
  return v as Uint8Array;
}

function checkProducer(v: unknown, where: string): NoiseEvidenceProducer {
  if (typeof v !== 'function') noiseFail('InvalidArgument', `${where} must be a function (reportData) => { tee, evidence }`, { check: where });
  return v as NoiseEvidenceProducer;
}

async function abortOnError<T>(channel: NoiseMessageChannel, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    try {
      channel.close?.();
    } catch {
      // closing is best effort; the first error is the one reported
    }
    throw e;
  }
}

/** Initiator: runs the handshake; resolves only after the responder's evidence was verified, bound and accepted by the policy. */
export async function connectAttested(channelInput: NoiseMessageChannel, options: ConnectAttestedOptions): Promise<AttestedNoiseSession<NoiseTrustDecision>> {
  if (options === null || typeof options !== 'object') noiseFail('InvalidArgument', 'connectAttested needs options', { check: 'options' });
  const channel = checkChannel(channelInput);
  const rs = checkKey(options.responderStaticKey, 'options.responderStaticKey');
  const appraisal = checkAppraisal(options.appraisal, 'options.appraisal');
  const mutual = options.mutual;
  if (mutual !== undefined) {
    if (mutual === null || typeof mutual !== 'object') noiseFail('InvalidArgument', 'options.mutual must be { staticKey, evidence }', { check: 'options.mutual' });
    checkKey(mutual.staticKey, 'options.mutual.staticKey');
    checkProducer(mutual.evidence, 'options.mutual.evidence');
  }
  const hs = new HandshakeState({
    pattern: mutual === undefined ? 'NK' : 'XK',
    initiator: true,
    remoteStaticKey: rs,
    prologue: options.prologue,
    ...(mutual === undefined ? {} : { staticKey: mutual.staticKey }),
  });
  return abortOnError(channel, async () => {
    // -> e, es  (no payload: nothing is sent before the responder is appraised)
    await sendMessage(channel, hs.writeMessage(new Uint8Array(0)), options.signal);
    // <- e, ee  + the responder's evidence
    const { payload, h } = hs.readMessage(await receiveMessage(channel, options.signal));
    const peer = await appraiseEvidence(payload, appraisal, { role: 'responder', staticKey: rs, h }, options.at);
    if (mutual !== undefined) {
      // -> s, se  + this side's evidence, bound to the h after `s, se`
      const myKey = x25519KeyPair(mutual.staticKey).publicKey;
      const m3 = await hs.writeMessageWith(async (h3) => encodeEvidencePayload(await mutual.evidence(noiseReportData('initiator', myKey, h3))));
      await sendMessage(channel, m3, options.signal);
    }
    const [c1, c2] = hs.split();
    return new AttestedNoiseSession(channel, c1, c2, hs.handshakeHash, peer);
  });
}

/** Responder (inside the TEE): answers one handshake with evidence bound to it; in mutual mode, appraises the initiator before any transport message. */
export async function acceptAttested(channelInput: NoiseMessageChannel, options: AcceptAttestedOptions): Promise<AttestedNoiseSession> {
  if (options === null || typeof options !== 'object') noiseFail('InvalidArgument', 'acceptAttested needs options', { check: 'options' });
  const channel = checkChannel(channelInput);
  const sk = checkKey(options.staticKey, 'options.staticKey');
  const produce = checkProducer(options.evidence, 'options.evidence');
  const mutual = options.mutual;
  const appraisal = mutual === undefined ? undefined : checkAppraisal(mutual?.appraisal, 'options.mutual.appraisal');
  const hs = new HandshakeState({
    pattern: mutual === undefined ? 'NK' : 'XK',
    initiator: false,
    staticKey: sk,
    prologue: options.prologue,
  });
  const myKey = hs.localStaticPublicKey!;
  return abortOnError(channel, async () => {
    const first = hs.readMessage(await receiveMessage(channel, options.signal));
    if (first.payload.length !== 0) noiseFail('NoiseParse', 'the first handshake message carries data; this protocol allows none before attestation', { check: 'noise.handshake.message1', found: String(first.payload.length) });
    const m2 = await hs.writeMessageWith(async (h) => encodeEvidencePayload(await produce(noiseReportData('responder', myKey, h))));
    await sendMessage(channel, m2, options.signal);
    let peer: NoiseTrustDecision | undefined;
    if (appraisal !== undefined) {
      const { payload, h } = hs.readMessage(await receiveMessage(channel, options.signal));
      peer = await appraiseEvidence(payload, appraisal, { role: 'initiator', staticKey: hs.remoteStaticKey!, h }, mutual!.at);
    }
    const [c1, c2] = hs.split();
    return new AttestedNoiseSession(channel, c2, c1, hs.handshakeHash, peer);
  });
}
