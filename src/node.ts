/**
 * Node-only adapters (`tee-attest/node`): the node:crypto backend. The core
 * entry (`tee-attest`) never imports node: modules.
 */
export { nodeBackend, type NodeBackendOptions } from './crypto/node.js';
