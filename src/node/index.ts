/**
 * Node-only adapters (`tee-attest/node`): the node:crypto backend, the undici
 * HTTP client, the filesystem collateral cache and bundle directories, and
 * `nodeCollateralSource()` (Intel PCS behind the memory + filesystem cache). The
 * core entry (`tee-attest`) never imports node: modules.
 */
export { nodeBackend, type NodeBackendOptions } from '../crypto/node.js';
export {
  FsCacheStore,
  staticSourceFromDirectory,
  directoryBundleReader,
  writeBundleFile,
  createNodeCachedSource,
  type NodeCachedSourceOptions,
  nodeCollateralSource,
  defaultCollateralCacheDir,
  type NodeCollateralSourceOptions,
  createUndiciFetch,
  type UndiciFetch,
  type UndiciFetchOptions,
} from './collateral.js';
export { createVerifierPool, type VerifierPool, type VerifierPoolOptions, type PoolVerifyOptions } from '../pool/index.js';
