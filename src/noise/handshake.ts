/**
 * Noise HandshakeState (rev. 34 §5.3) for the two patterns this module uses,
 * with DH = Curve25519 (§12.1, X25519 from @noble/curves):
 *
 *   NK:  <- s            XK:  <- s
 *       ...                  ...
 *       -> e, es             -> e, es
 *       <- e, ee             <- e, ee
 *                            -> s, se
 *
 * The payload of a message is encrypted after its tokens (§5.3
 * WriteMessage); `writeMessageWith` lets the writer build the payload from
 * the handshake hash h at exactly that point (the attested payloads bind it),
 * and `readMessage` returns the same h next to the payload.
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { noiseFail } from './fail.js';
import { CipherState } from './cipher-state.js';
import { SymmetricState, concatBytes } from './symmetric-state.js';

export type NoisePatternName = 'NK' | 'XK';
type Token = 'e' | 's' | 'es' | 'ee' | 'se';

const PATTERNS: Record<NoisePatternName, readonly (readonly Token[])[]> = {
  NK: [['e', 'es'], ['e', 'ee']],
  XK: [['e', 'es'], ['e', 'ee'], ['s', 'se']],
};

export const DHLEN = 32;
/** §3: every Noise message is at most 65535 bytes. */
export const MAX_NOISE_MESSAGE = 65535;

export function protocolName(pattern: NoisePatternName): string {
  return `Noise_${pattern}_25519_ChaChaPoly_SHA256`;
}

export interface KeyPair {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** An X25519 key pair from a 32-byte private key (any bytes; X25519 clamps), or a fresh random one. */
export function x25519KeyPair(privateKey?: Uint8Array): KeyPair {
  const sk = privateKey ?? x25519.utils.randomSecretKey();
  if (!(sk instanceof Uint8Array) || sk.length !== 32) noiseFail('InvalidArgument', 'an X25519 private key is 32 bytes', { check: 'noise.key.private' });
  return { privateKey: sk.slice(), publicKey: x25519.getPublicKey(sk) };
}

function dh(kp: KeyPair, pub: Uint8Array): Uint8Array {
  try {
    return x25519.getSharedSecret(kp.privateKey, pub);
  } catch (e) {
    return noiseFail('NoiseParse', 'the peer sent an invalid X25519 public key (low order: all-zero shared secret)', { check: 'noise.dh' }, e);
  }
}

export interface HandshakeOptions {
  readonly pattern: NoisePatternName;
  readonly initiator: boolean;
  readonly prologue?: Uint8Array;
  /** Local static private key (NK responder, XK both sides). */
  readonly staticKey?: Uint8Array;
  /** Remote static public key known in advance (the initiator's `<- s` pre-message). */
  readonly remoteStaticKey?: Uint8Array;
  /** Fixed ephemeral private key. Only for the published test vectors; never set it otherwise. */
  readonly testOnlyEphemeralKey?: Uint8Array;
}

export class HandshakeState {
  readonly pattern: NoisePatternName;
  readonly initiator: boolean;
  readonly #ss: SymmetricState;
  readonly #s: KeyPair | undefined;
  #e: KeyPair | undefined;
  #rs: Uint8Array | undefined;
  #re: Uint8Array | undefined;
  readonly #fixedE: Uint8Array | undefined;
  #index = 0;
  #busy = false;
  #failed = false;

  constructor(o: HandshakeOptions) {
    if (o === null || typeof o !== 'object' || (o.pattern !== 'NK' && o.pattern !== 'XK') || typeof o.initiator !== 'boolean') {
      noiseFail('InvalidArgument', 'HandshakeState needs { pattern: "NK" | "XK", initiator }', { check: 'options' });
    }
    const key = (v: unknown, name: string): Uint8Array | undefined => {
      if (v === undefined) return undefined;
      if (!(v instanceof Uint8Array) || v.length !== 32) noiseFail('InvalidArgument', `${name} must be 32 bytes`, { check: `options.${name}` });
      return (v as Uint8Array).slice();
    };
    this.pattern = o.pattern;
    this.initiator = o.initiator;
    const s = key(o.staticKey, 'staticKey');
    this.#s = s === undefined ? undefined : x25519KeyPair(s);
    this.#rs = key(o.remoteStaticKey, 'remoteStaticKey');
    this.#fixedE = key(o.testOnlyEphemeralKey, 'testOnlyEphemeralKey');
    if (o.prologue !== undefined && !(o.prologue instanceof Uint8Array)) noiseFail('InvalidArgument', 'prologue must be bytes', { check: 'options.prologue' });
    const needS = !this.initiator || this.pattern === 'XK';
    if (needS && this.#s === undefined) noiseFail('InvalidArgument', `the ${this.initiator ? 'initiator' : 'responder'} of ${this.pattern} needs its static key`, { check: 'options.staticKey' });
    if (!needS && this.#s !== undefined) noiseFail('InvalidArgument', 'the NK initiator has no static key', { check: 'options.staticKey' });
    if (this.initiator && this.#rs === undefined) noiseFail('InvalidArgument', `the ${this.pattern} initiator needs the responder's static public key`, { check: 'options.remoteStaticKey' });
    if (!this.initiator && this.#rs !== undefined) noiseFail('InvalidArgument', `the ${this.pattern} responder learns no static key in advance`, { check: 'options.remoteStaticKey' });

    // §5.3 Initialize: protocol name, prologue, pre-message `<- s` (the responder's static key, on both sides).
    this.#ss = new SymmetricState(protocolName(this.pattern));
    this.#ss.mixHash(o.prologue ?? new Uint8Array(0));
    this.#ss.mixHash(this.initiator ? this.#rs! : this.#s!.publicKey);
  }

  /** True when it is this side's turn to write. */
  get isMyTurn(): boolean {
    return this.#index % 2 === (this.initiator ? 0 : 1);
  }

  get isComplete(): boolean {
    return this.#index === PATTERNS[this.pattern].length;
  }

  /** The handshake hash h (§5.3: after the last message, the channel binding value). */
  get handshakeHash(): Uint8Array {
    return this.#ss.h;
  }

  get remoteStaticKey(): Uint8Array | undefined {
    return this.#rs?.slice();
  }

  get localStaticPublicKey(): Uint8Array | undefined {
    return this.#s?.publicKey.slice();
  }

  #enter(write: boolean): readonly Token[] {
    if (this.#failed) noiseFail('NoiseState', 'the handshake failed earlier; start a new one', { check: 'noise.handshake.state' });
    if (this.#busy) noiseFail('NoiseState', 'a handshake message is already being written', { check: 'noise.handshake.state' });
    if (this.isComplete) noiseFail('NoiseState', 'the handshake is complete', { check: 'noise.handshake.state' });
    if (this.isMyTurn !== write) noiseFail('NoiseState', write ? 'not this side\'s turn to write' : 'not this side\'s turn to read', { check: 'noise.handshake.turn' });
    return PATTERNS[this.pattern][this.#index]!;
  }

  #dhToken(t: 'ee' | 'es' | 'se'): Uint8Array {
    // es: initiator DH(e, rs) / responder DH(s, re); se: initiator DH(s, re) / responder DH(e, rs).
    if (t === 'ee') return dh(this.#e!, this.#re!);
    const localIsE = (t === 'es') === this.initiator;
    return localIsE ? dh(this.#e!, this.#rs!) : dh(this.#s!, this.#re!);
  }

  #writeTokens(tokens: readonly Token[]): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (const t of tokens) {
      if (t === 'e') {
        this.#e = x25519KeyPair(this.#fixedE);
        out.push(this.#e.publicKey);
        this.#ss.mixHash(this.#e.publicKey);
      } else if (t === 's') {
        out.push(this.#ss.encryptAndHash(this.#s!.publicKey));
      } else {
        this.#ss.mixKey(this.#dhToken(t));
      }
    }
    return out;
  }

  /** WriteMessage(payload) (§5.3). */
  writeMessage(payload: Uint8Array = new Uint8Array(0)): Uint8Array {
    const tokens = this.#enter(true);
    try {
      const parts = this.#writeTokens(tokens);
      parts.push(this.#ss.encryptAndHash(payload));
      return this.#finishWrite(parts);
    } catch (e) {
      this.#failed = true;
      throw e;
    }
  }

  /**
   * WriteMessage with a payload computed from the handshake hash h reached
   * after this message's tokens: the same h `readMessage` returns to the peer.
   */
  async writeMessageWith(payload: (h: Uint8Array) => Uint8Array | Promise<Uint8Array>): Promise<Uint8Array> {
    const tokens = this.#enter(true);
    this.#busy = true;
    try {
      const parts = this.#writeTokens(tokens);
      const p = await payload(this.#ss.h);
      if (!(p instanceof Uint8Array)) noiseFail('InvalidArgument', 'the payload must be bytes', { check: 'noise.handshake.payload' });
      parts.push(this.#ss.encryptAndHash(p));
      return this.#finishWrite(parts);
    } catch (e) {
      this.#failed = true;
      throw e;
    } finally {
      this.#busy = false;
    }
  }

  #finishWrite(parts: Uint8Array[]): Uint8Array {
    const msg = concatBytes(...parts);
    if (msg.length > MAX_NOISE_MESSAGE) noiseFail('InvalidArgument', `a Noise message is at most ${MAX_NOISE_MESSAGE} bytes`, { check: 'noise.handshake.length', found: String(msg.length) });
    this.#index += 1;
    return msg;
  }

  /** ReadMessage(message) (§5.3): the payload, and the handshake hash h its encryption was bound to. */
  readMessage(message: Uint8Array): { readonly payload: Uint8Array; readonly h: Uint8Array } {
    const tokens = this.#enter(false);
    try {
      if (!(message instanceof Uint8Array)) noiseFail('InvalidArgument', 'a handshake message is bytes', { check: 'noise.handshake.message' });
      if (message.length > MAX_NOISE_MESSAGE) noiseFail('NoiseParse', `a Noise message is at most ${MAX_NOISE_MESSAGE} bytes`, { check: 'noise.handshake.length', found: String(message.length) });
      let off = 0;
      const take = (n: number, what: string): Uint8Array => {
        if (off + n > message.length) noiseFail('NoiseParse', `handshake message too short for ${what}`, { check: 'noise.handshake.length', offset: off, expected: String(n), found: String(message.length - off) });
        const b = message.subarray(off, off + n);
        off += n;
        return b;
      };
      for (const t of tokens) {
        if (t === 'e') {
          this.#re = take(DHLEN, 'e').slice();
          this.#ss.mixHash(this.#re);
        } else if (t === 's') {
          const len = this.#ss.cipher.hasKey() ? DHLEN + 16 : DHLEN;
          this.#rs = this.#ss.decryptAndHash(take(len, 's'));
        } else {
          this.#ss.mixKey(this.#dhToken(t));
        }
      }
      const h = this.#ss.h;
      const rest = message.subarray(off);
      if (this.#ss.cipher.hasKey() && rest.length < 16) noiseFail('NoiseParse', 'handshake message too short for the payload tag', { check: 'noise.handshake.length', offset: off });
      const payload = this.#ss.decryptAndHash(rest);
      this.#index += 1;
      return { payload, h };
    } catch (e) {
      this.#failed = true;
      throw e;
    }
  }

  /** Split() after the last message: [initiator → responder, responder → initiator]. */
  split(): [CipherState, CipherState] {
    if (!this.isComplete || this.#failed) noiseFail('NoiseState', 'the handshake is not complete', { check: 'noise.handshake.state' });
    return this.#ss.split();
  }
}
