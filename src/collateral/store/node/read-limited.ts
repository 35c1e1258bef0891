/** Node-only: read a small file, refusing anything larger than `maxBytes`; undefined when it does not exist. */
import { readFile, stat } from 'node:fs/promises';
import { AttestationError, ParseError } from '../../../errors.js';

function isNotFound(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export async function readFileLimited(path: string, maxBytes: number): Promise<Uint8Array | undefined> {
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new ParseError('CollateralParse', `${path} is not a regular file`, { check: 'file.type', found: path });
    if (st.size > maxBytes) {
      throw new ParseError('CollateralParse', `${path} is larger than ${maxBytes} bytes`, {
        check: 'file.size',
        expected: `<= ${maxBytes} bytes`,
        found: `${st.size} bytes`,
      });
    }
    const data = new Uint8Array(await readFile(path));
    if (data.length > maxBytes) {
      throw new ParseError('CollateralParse', `${path} grew beyond ${maxBytes} bytes`, { check: 'file.size', found: `${data.length} bytes` });
    }
    return data;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    if (e instanceof AttestationError) throw e;
    throw new AttestationError('CollateralFetch', `cannot read ${path}: ${(e as Error).message}`, { check: 'file.read', found: path }, { cause: e });
  }
}
