/** Node-only collateral store adapters (filesystem cache, bundle directories, undici HTTP). */
export { FsCacheStore } from './fs-cache-store.js';
export { directoryBundleReader, staticSourceFromDirectory, writeBundleFile } from './directory-source.js';
export { createNodeCachedSource, type NodeCachedSourceOptions } from './cached-source-node.js';
export { nodeCollateralSource, defaultCollateralCacheDir, type NodeCollateralSourceOptions } from './default-source.js';
export { writeFileAtomic } from './atomic-write.js';
export { createUndiciFetch, type UndiciFetch, type UndiciFetchOptions } from './undici-fetch.js';
