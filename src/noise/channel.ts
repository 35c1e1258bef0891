/**
 * The message transport under the Noise channel: anything that carries whole
 * messages in order (a WebSocket, a WebRTC data channel, a length-prefixed
 * stream, an in-memory pipe). Nothing here touches the network or a Node
 * built-in: the caller brings the transport.
 */
import { isAttestationError, attestationError } from '../errors.js';
import { noiseFail } from './fail.js';
import { MAX_NOISE_MESSAGE } from './handshake.js';

export interface NoiseMessageChannel {
  /** Sends one message. */
  send(message: Uint8Array): void | Promise<void>;
  /** The next message; rejects when the transport closed or failed. */
  receive(): Promise<Uint8Array>;
  /** Closes the transport (called on every abort). */
  close?(): void;
}

export function checkChannel(c: unknown): NoiseMessageChannel {
  if (c === null || typeof c !== 'object' || typeof (c as NoiseMessageChannel).send !== 'function' || typeof (c as NoiseMessageChannel).receive !== 'function') {
    noiseFail('InvalidArgument', 'the channel must have send(message) and receive()', { check: 'noise.channel' });
  }
  return c as NoiseMessageChannel;
}

function aborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) noiseFail('NoiseTransport', 'the handshake was aborted by the caller', { check: 'noise.transport.abort' });
}

export async function sendMessage(c: NoiseMessageChannel, m: Uint8Array, signal?: AbortSignal): Promise<void> {
  aborted(signal);
  try {
    await c.send(m);
  } catch (e) {
    if (isAttestationError(e)) throw e;
    noiseFail('NoiseTransport', 'the transport failed to send', { check: 'noise.transport.send' }, e);
  }
}

export async function receiveMessage(c: NoiseMessageChannel, signal?: AbortSignal): Promise<Uint8Array> {
  aborted(signal);
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  let m: unknown;
  try {
    m = await (signal === undefined ? c.receive() : Promise.race([c.receive(), stop]));
  } catch (e) {
    if (isAttestationError(e)) throw e;
    return noiseFail('NoiseTransport', signal?.aborted ? 'the handshake was aborted by the caller' : 'the transport closed or failed', { check: 'noise.transport.receive' }, e);
  } finally {
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
  if (!(m instanceof Uint8Array)) noiseFail('NoiseTransport', 'the transport delivered something other than bytes', { check: 'noise.transport.receive' });
  if (m.length > MAX_NOISE_MESSAGE) noiseFail('NoiseParse', `a Noise message is at most ${MAX_NOISE_MESSAGE} bytes`, { check: 'noise.transport.length', found: String(m.length) });
  return m;
}

/**
 * Two connected in-memory channels (for tests, the quick start and
 * in-process TEE simulations). Messages are copied; close() on either end
 * makes pending and later receive() calls on both ends reject.
 */
export function messagePipe(): [NoiseMessageChannel, NoiseMessageChannel] {
  interface End {
    queue: Uint8Array[];
    waiting: { resolve: (m: Uint8Array) => void; reject: (e: Error) => void }[];
  }
  let closed = false;
  const ends: [End, End] = [{ queue: [], waiting: [] }, { queue: [], waiting: [] }];
  const close = (): void => {
    closed = true;
    for (const e of ends) for (const w of e.waiting.splice(0)) w.reject(attestationError('NoiseTransport', 'pipe closed', { check: 'noise.pipe.closed' }));
  };
  const make = (me: End, peer: End): NoiseMessageChannel => ({
    send(message: Uint8Array): void {
      if (closed) throw attestationError('NoiseTransport', 'pipe closed', { check: 'noise.pipe.closed' });
      const copy = message.slice();
      const w = peer.waiting.shift();
      if (w !== undefined) w.resolve(copy);
      else peer.queue.push(copy);
    },
    receive(): Promise<Uint8Array> {
      const m = me.queue.shift();
      if (m !== undefined) return Promise.resolve(m);
      if (closed) return Promise.reject(new Error('pipe closed'));
      return new Promise((resolve, reject) => me.waiting.push({ resolve, reject }));
    },
    close,
  });
  return [make(ends[0], ends[1]), make(ends[1], ends[0])];
}
