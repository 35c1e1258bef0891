/**
 * tee-attest/noise: an attested Noise channel (Noise_NK / Noise_XK
 * _25519_ChaChaPoly_SHA256 on @noble) whose responder proves, in its first
 * message, that its static key lives in an attested TEE (SEV-SNP report or
 * TDX quote, REPORT_DATA bound to the handshake). Runs in browsers: no Node
 * built-in, the transport and the verifier are injected. See docs/noise.md.
 */
export { connectAttested, acceptAttested, AttestedNoiseSession, MAX_NOISE_PLAINTEXT, type ConnectAttestedOptions, type AcceptAttestedOptions, type NoiseEvidenceProducer } from './attested.js';
export { appraiseEvidence, type NoiseAppraisal, type SnpNoiseAppraisal, type TdxNoiseAppraisal, type NoiseTrustDecision, type NoiseConfirm } from './appraisal.js';
export { noiseReportData, NOISE_BINDING_LABEL, type NoiseRole } from './binding.js';
export { messagePipe, type NoiseMessageChannel } from './channel.js';
export { encodeEvidencePayload, decodeEvidencePayload, MAX_EVIDENCE_BYTES, type NoiseEvidence, type NoiseTee } from './payload.js';
export { HandshakeState, x25519KeyPair, protocolName, MAX_NOISE_MESSAGE, type HandshakeOptions, type KeyPair, type NoisePatternName } from './handshake.js';
export { CipherState } from './cipher-state.js';
