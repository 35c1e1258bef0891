#!/usr/bin/env node
/**
 * `dcap` command line (Node adapter; the verification core does not depend on it).
 *   dcap verify --quote FILE --collateral FILE --at <unix seconds|ISO> [--root FILE] [--json]
 *   dcap samples [--json]
 * Exit codes: 0 success, 1 usage error, 2 verification error / mismatch.
 */
import { isAttestationError } from '../errors.js';
import { verifyCommand } from './verify-command.js';
import { samplesCommand } from './samples-command.js';
import { collateralCommand, COLLATERAL_HELP, VERIFY_COLLATERAL_HELP } from './collateral-command.js';

const HELP = `usage:
  dcap verify --quote FILE (--collateral FILE|DIR | --pccs URL [--cache DIR]) --at <unix seconds|ISO-8601>
              [--root FILE] [--json] [--trailing-bytes reject|zeros|any] [--allow-trailing-bytes]
      FILE may be binary or hex text. --root takes a CA certificate (PEM/DER) or a hex P-256 point.
      Exit 0: verified (whatever the TCB status); 2: verification failed; 1: usage error.
${VERIFY_COLLATERAL_HELP}
  dcap samples [--json]
      Verify the bundled sample quotes offline and compare with their manifests.
${COLLATERAL_HELP}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'verify':
      return verifyCommand(['verify', ...rest]);
    case 'samples':
      return samplesCommand(['samples', ...rest]);
    case 'collateral':
      return collateralCommand(['collateral', ...rest]);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return command === undefined ? 1 : 0;
    default:
      process.stderr.write(`unknown command ${command}\n${HELP}`);
      return 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (isAttestationError(e) && e.kind === 'usage') {
      process.stderr.write(`dcap: ${e.message}\n${HELP}`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`dcap: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exitCode = 3;
    }
  },
);
