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

parentPort!.on('message', (task: TaskMessage) => {
  verifier
    .verifyQuote(task.quote, task.collateral, { at: task.at, ...(task.trailingBytes === undefined ? {} : { trailingBytes: task.trailingBytes }) })
    .then(
      (result): ReplyMessage => ({ id: task.id, ok: true, result }),
      (e: unknown): ReplyMessage => ({ id: task.id, ok: false, error: toWire(e) }),
    )
    .then((reply) => parentPort!.postMessage(reply));
});
