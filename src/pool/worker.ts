/**
 * Worker-thread side of a VerifierPool: one long-lived verifier (its own
 * crypto backend and VerificationCache) per thread, fed by the pool.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { nodeBackend } from '../crypto/node.js';
import { nobleBackend } from '../crypto/noble.js';
import { webCryptoBackend } from '../crypto/webcrypto.js';
import { createVerifier } from '../verify/verifier.js';
import { toWire, type ReplyMessage, type TaskMessage, type WorkerSetup } from './messages.js';

const setup = workerData as WorkerSetup;
const crypto = setup.backend === 'noble' ? nobleBackend() : setup.backend === 'webcrypto' ? webCryptoBackend() : nodeBackend();
const verifier = createVerifier({
  crypto,
  ...(setup.rootPublicKey === undefined ? {} : { rootPublicKey: setup.rootPublicKey }),
  ...(setup.trailingBytes === undefined ? {} : { trailingBytes: setup.trailingBytes }),
  ...(setup.cache === undefined ? {} : { cache: setup.cache }),
});

/** Collateral snapshots by the pool's reference (the pool tracks which ones this worker holds). */
const held = new Map<number, TaskMessage['collateral']>();
const HELD_MAX = 8;

parentPort!.on('message', (task: TaskMessage) => {
  let collateral = task.collateral;
  if (task.collateralRef !== undefined) {
    if (collateral === undefined) collateral = held.get(task.collateralRef);
    else {
      held.set(task.collateralRef, collateral);
      if (held.size > HELD_MAX) held.delete(held.keys().next().value as number);
    }
  }
  verifier
    .verifyQuote(task.quote, collateral as NonNullable<TaskMessage['collateral']>, { at: task.at, ...(task.trailingBytes === undefined ? {} : { trailingBytes: task.trailingBytes }) })
    .then(
      (result): ReplyMessage => ({ id: task.id, ok: true, result }),
      (e: unknown): ReplyMessage => ({ id: task.id, ok: false, error: toWire(e) }),
    )
    .then((reply) => parentPort!.postMessage(reply));
});
