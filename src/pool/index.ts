/** Verification on all cores (Node only): exported from `tee-attest/node`. */
export { createVerifierPool, type VerifierPool, type VerifierPoolOptions, type PoolVerifyOptions } from './pool.js';
