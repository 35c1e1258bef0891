/** The implementation of `tee-attest forward` (options: forward-command.ts): flags → runForwardCommand. */
import { isAttestationError } from '../errors.js';
import { runForwardCommand, type ForwardCommandIo } from '../forward/command.js';
import { required, type ParsedCommand } from './args.js';
import { errorJson } from './output.js';
import type { CliIo } from './registry.js';
import { trustFromArgs } from './trust-flags.js';

/** `forward` itself; `signal` stops it in tests (default: SIGINT / SIGTERM). */
export async function runForwardCli(args: ParsedCommand, io: CliIo, control: Pick<ForwardCommandIo, 'signal' | 'onReady'> = {}): Promise<number> {
  const json = args.flags.has('json-log');
  const target = required(args, 'target');
  const listen = args.values.get('listen') ?? '127.0.0.1:6432';
  const trust = await trustFromArgs(args, io.now);
  try {
    return await runForwardCommand(
      {
        target,
        listen,
        verifier: trust.verifier,
        clock: io.now,
        ...trust.pins,
        ...(args.flags.has('allow-non-loopback') ? { allowNonLoopback: true } : {}),
        json,
      },
      { out: (line) => io.stdout(`${line}\n`), ...control },
    );
  } catch (e) {
    if (!isAttestationError(e) || e.kind === 'usage') throw e;
    const err = errorJson(e);
    if (json) io.stdout(JSON.stringify({ event: 'failed', error: err }) + '\n');
    else io.stderr(`${io.program} forward: ${err.code}: ${err.message}\n`);
    return 2;
  } finally {
    await trust.close();
  }
}
