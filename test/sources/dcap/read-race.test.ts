/**
 * #19 §1: the filesystem store's read of a cache file / bundle. A swap of the
 * file for a symlink to a FIFO or to /dev/zero between a path check and the
 * read must neither hang nor read without bound: the file is opened once
 * (no-follow, non-blocking), checked on the handle, and read to limit+1 bytes.
 * The swap is made deterministic by hooking the first path-based call.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as realFs from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from './helpers.js';

/** Runs once after the first path-based stat/open/lstat of the test path resolves. */
const hook: { path?: string; swap?: () => void } = {};

vi.mock('node:fs/promises', async (importOriginal) => {
  const orig = await importOriginal<typeof import('node:fs/promises')>();
  const wrap =
    <A extends unknown[], R>(f: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      const r = await f(...a);
      if (hook.swap !== undefined && a[0] === hook.path) {
        const s = hook.swap;
        hook.swap = undefined;
        s();
      }
      return r;
    };
  return { ...orig, stat: wrap(orig.stat), lstat: wrap(orig.lstat), open: wrap(orig.open) };
});

const { readFileLimited } = await import('../../../src/node/read-limited.js');

/** Settles with the result, or 'hung' when nothing settles within `ms` (the read must never need that long). */
async function settle<T>(p: Promise<T>, ms = 3_000): Promise<T | 'hung' | { error: unknown }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)));
  try {
    return await Promise.race([p.catch((error: unknown) => ({ error })), hung]);
  } finally {
    clearTimeout(timer);
  }
}

let tmp: { dir: string; remove: () => void } | undefined;
let fifo: string | undefined;
afterEach(async () => {
  hook.swap = undefined;
  // Release a reader stuck on the FIFO (pre-fix behaviour) so the worker can exit.
  if (fifo !== undefined) {
    const f = fifo;
    fifo = undefined;
    const h = await realFs.open(f, realFs.constants.O_WRONLY | realFs.constants.O_NONBLOCK).catch(() => undefined);
    await h?.close();
  }
  tmp?.remove();
  tmp = undefined;
});

describe('readFileLimited (#19 §1)', () => {
  it.skipIf(process.platform === 'win32')('a swap to a symlink to a FIFO after the path check neither hangs nor follows the link', async () => {
    tmp = tempDir();
    const path = join(tmp.dir, 'tdx-b0c06f000000-platform.json');
    fifo = join(tmp.dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    writeFileSync(path, '{"small":true}');
    hook.path = path;
    hook.swap = () => {
      rmSync(path);
      symlinkSync(fifo!, path);
    };
    const r = await settle(readFileLimited(path, 1024));
    expect(r).not.toBe('hung');
    // Either the file opened before the swap was read, or the swapped-in link was refused: never the FIFO.
    if (r instanceof Uint8Array) expect(new TextDecoder().decode(r)).toBe('{"small":true}');
    else expect(r).toMatchObject({ error: { code: 'CollateralParse' } });
  });

  it.skipIf(process.platform !== 'linux')('a swap to a symlink to /dev/zero reads at most limit+1 bytes', async () => {
    tmp = tempDir();
    const path = join(tmp.dir, 'k.json');
    writeFileSync(path, '{}');
    hook.path = path;
    hook.swap = () => {
      rmSync(path);
      symlinkSync('/dev/zero', path);
    };
    const r = await settle(readFileLimited(path, 1024));
    if (r instanceof Uint8Array) expect(new TextDecoder().decode(r)).toBe('{}');
    else expect(r).toMatchObject({ error: { code: 'CollateralParse' } });
  });

  it.skipIf(process.platform === 'win32')('a symlink, a FIFO, a device or a directory at the path is refused (CollateralParse)', async () => {
    tmp = tempDir();
    writeFileSync(join(tmp.dir, 'real.json'), '{}');
    symlinkSync(join(tmp.dir, 'real.json'), join(tmp.dir, 'link.json'));
    fifo = join(tmp.dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    mkdirSync(join(tmp.dir, 'dir.json'));
    for (const name of ['link.json', 'fifo.json', 'dir.json']) {
      expect(await settle(readFileLimited(join(tmp.dir, name), 1024))).toMatchObject({ error: { code: 'CollateralParse' } });
    }
    if (process.platform === 'linux') expect(await settle(readFileLimited('/dev/zero', 1024))).toMatchObject({ error: { code: 'CollateralParse' } });
    expect(await readFileLimited(join(tmp.dir, 'absent.json'), 1024)).toBeUndefined();
  });

  it('a file that grows past the limit is refused after limit+1 bytes', async () => {
    tmp = tempDir();
    const path = join(tmp.dir, 'big.json');
    writeFileSync(path, 'x'.repeat(2048));
    expect(await settle(readFileLimited(path, 1024))).toMatchObject({ error: { code: 'CollateralParse' } });
    writeFileSync(path, 'x'.repeat(1024));
    expect((await readFileLimited(path, 1024))?.length).toBe(1024);
    expect(readFileSync(path).length).toBe(1024);
  });
});
