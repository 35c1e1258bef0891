/**
 * Optional peer dependencies of the Node-only entries (`pg` for
 * tee-attest/postgres, `@sigstore/*` for tee-attest/provenance, `undici` for
 * the Node HTTP client). They are declared in package.json
 * `peerDependencies` with `peerDependenciesMeta.optional`, so a consumer of
 * the core never installs them. An entry that needs one loads it here: when
 * the package is absent the caller gets a coded `DependencyMissing` error that
 * names the package and the feature, instead of a raw ERR_MODULE_NOT_FOUND.
 */
import { AttestationError, attestationError } from '../errors.js';

/** True when `err` says that `pkg` itself (not something inside it) could not be resolved. */
export function isMissingPackage(err: unknown, pkg: string): boolean {
  if (err === null || typeof err !== 'object') return false;
  const code = (err as { code?: unknown }).code;
  const message = String((err as { message?: unknown }).message ?? '');
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  // Node: "Cannot find package 'pg' imported from …"; also accept "Cannot find module 'pg'".
  return message.includes(`'${pkg}'`) || message.includes(`"${pkg}"`) || message.includes(`'${pkg}/`);
}

/** The coded error for a missing optional dependency. */
export function dependencyMissing(pkg: string, feature: string, cause?: unknown): AttestationError {
  return attestationError(
    'DependencyMissing',
    `${feature} needs the optional dependency "${pkg}", which is not installed: run \`npm install ${pkg}\``,
    { check: 'dependency', field: pkg },
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Imports the optional package `pkg` for `feature` (e.g. 'tee-attest/postgres').
 * `load` is the import itself (`() => import('pg')`), written at the call site
 * so that bundlers and TypeScript see a static specifier; without it the
 * package name is imported as given.
 */
export async function loadOptional<T = unknown>(pkg: string, feature: string, load?: () => Promise<T>): Promise<T> {
  try {
    return await (load ?? (() => import(pkg) as Promise<T>))();
  } catch (err) {
    if (isMissingPackage(err, pkg)) throw dependencyMissing(pkg, feature, err);
    throw err;
  }
}
