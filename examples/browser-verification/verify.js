// Verify a quote in the browser with the package's core entry: WebCrypto does
// the signatures, nothing is sent anywhere. The page fetches the quote and its
// collateral from its own origin (replace with your attestation endpoint).
//   ?at=2025-07-19T10:00:34Z sets the verification time (default: now).
import { AttestationError, verifyQuote } from 'tee-attest';

const out = document.getElementById('out');
const at = new URLSearchParams(location.search).get('at') ?? new Date();

try {
  const quote = new Uint8Array(await (await fetch('./quote.bin')).arrayBuffer());
  const collateral = await (await fetch('./collateral.json')).json();
  const verified = await verifyQuote(quote, collateral, { at });
  const mrtd = verified.report.kind === 'sgx' ? verified.report.mrEnclave : verified.report.mrTd;
  out.textContent = `verdict: ${verified.status}\nmrtd: ${mrtd}`;
} catch (e) {
  out.textContent = e instanceof AttestationError ? `failed: ${e.code}: ${e.message}` : `error: ${e}`;
}
out.dataset.done = 'true';
