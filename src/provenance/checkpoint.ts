/**
 * A transparency-log checkpoint (C2SP signed-note and tlog-checkpoint
 * formats, as Rekor writes them):
 *
 *   <origin>\n<tree size, decimal>\n<root hash, base64>\n[extension lines\n]
 *   \n
 *   — <key name> <base64(4-byte key hint ‖ signature)>\n   (one or more)
 *
 * The signature covers the note text before the blank line. Parsed strictly
 * with bounds (RekorParse); which signature counts is decided by the caller.
 */
import { provenanceFail } from './fail.js';

export const MAX_CHECKPOINT_BYTES = 16 * 1024;

export interface Checkpoint {
  readonly origin: string;
  readonly treeSize: bigint;
  readonly rootHash: Uint8Array;
  /** The signed text (the note body, with its final newline). */
  readonly signedText: string;
  readonly signatures: readonly { readonly name: string; readonly keyHint: Uint8Array; readonly signature: Uint8Array }[];
}

function bad(message: string): never {
  provenanceFail('RekorParse', `checkpoint: ${message}`, { check: 'rekor.checkpoint.parse' });
}

function b64(s: string): Uint8Array {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(s) || s.length % 4 !== 0) bad('bad base64');
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

export function parseCheckpoint(envelope: string): Checkpoint {
  if (typeof envelope !== 'string' || envelope.length === 0 || envelope.length > MAX_CHECKPOINT_BYTES) bad('missing or too long');
  const split = envelope.indexOf('\n\n');
  if (split < 0) bad('no blank line between the note and its signatures');
  const signedText = envelope.slice(0, split + 1);
  const lines = signedText.slice(0, -1).split('\n');
  if (lines.length < 3 || lines.length > 16) bad('the note needs origin, size and root lines');
  const [origin, size, root] = lines as [string, string, string];
  if (origin.length === 0 || /[\u0000-\u001f]/.test(origin)) bad('bad origin line');
  if (!/^(0|[1-9][0-9]{0,19})$/.test(size)) bad('bad tree size');
  const rootHash = b64(root);
  if (rootHash.length !== 32) bad('the root hash is not 32 bytes');
  const sigLines = envelope.slice(split + 2).split('\n');
  if (sigLines.at(-1) === '') sigLines.pop();
  if (sigLines.length === 0 || sigLines.length > 16) bad('no signature lines, or too many');
  const signatures = sigLines.map((l) => {
    const m = /^\u2014 (\S+) (\S+)$/.exec(l);
    if (m === null) bad('malformed signature line');
    const raw = b64(m![2]!);
    if (raw.length < 5) bad('signature too short');
    return { name: m![1]!, keyHint: raw.slice(0, 4), signature: raw.slice(4) };
  });
  return { origin, treeSize: BigInt(size), rootHash, signedText, signatures };
}
