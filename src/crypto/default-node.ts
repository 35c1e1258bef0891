/**
 * `defaultCryptoBackend` for programs that run only on Node (the CLI bundle,
 * scripts/bundle-cli.mjs, substitutes this module for ./default.ts): node:crypto,
 * so that no pure-JS curve or hash code is loaded at process start (issue #15).
 * Same contract as ./default.ts; nothing else imports it.
 */
import type { CryptoBackend } from './backend.js';
import { nodeBackend } from './node.js';

export function defaultCryptoBackend(): CryptoBackend {
  return nodeBackend();
}
