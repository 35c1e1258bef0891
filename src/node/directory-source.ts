/**
 * Node-only: StaticSource over a directory of offline bundles
 * (`<dir>/<tee>-<fmspc>-<ca>[-early].json`; the repository convention is
 * `collateral/`). Writing bundles: `writeBundleFile`.
 */
import { join } from 'node:path';
import { attestationError } from '../errors.js';
import { MAX_BUNDLE_BYTES, bundleFileName, serializeBundle } from '../sources/dcap/bundle.js';
import { StaticSource, type BundleReader } from '../sources/dcap/static-source.js';
import type { CollateralBundle } from '../sources/dcap/types.js';
import { writeFileAtomic } from './atomic-write.js';
import { readFileLimited } from './read-limited.js';

export function directoryBundleReader(dir: string, maxBytes = MAX_BUNDLE_BYTES): BundleReader {
  return async (fileName) => {
    if (!/^[a-z0-9][a-z0-9-]{0,127}\.json$/.test(fileName)) {
      throw attestationError('InvalidArgument', `not a bundle file name: ${fileName.slice(0, 64)}`, { check: 'static.fileName', found: fileName.slice(0, 64) });
    }
    return readFileLimited(join(dir, fileName), maxBytes);
  };
}

export function staticSourceFromDirectory(dir: string): StaticSource {
  return new StaticSource({ read: directoryBundleReader(dir), name: dir });
}

/** Write `bundle` atomically to `<dir>/<tee>-<fmspc>-<ca>[-early].json`; returns the path. */
export async function writeBundleFile(dir: string, bundle: CollateralBundle): Promise<string> {
  const path = join(dir, bundleFileName(bundle.request));
  await writeFileAtomic(path, serializeBundle(bundle));
  return path;
}
