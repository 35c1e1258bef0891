/**
 * Size and count limits for untrusted RA-TLS input. Generous for real dstack
 * data (a TDX quote is 5-8 KiB, a boot event log ~30-300 events) while
 * keeping every parser's work and memory bounded.
 */
export const ATTESTATION_LIMITS = {
  /** Whole attestation: dstack's own MAX_ATTESTATION_BYTES (10 MiB). */
  maxBytes: 10 * 1024 * 1024,
  /** One TDX quote. */
  maxQuoteBytes: 1024 * 1024,
  /** Events per event log / runtime event list. */
  maxEvents: 4096,
  /** Any other byte or string field (digest, payload, config, ...). */
  maxFieldBytes: 1024 * 1024,
  /** JSON event log text. */
  maxJsonLength: 4 * 1024 * 1024,
} as const;
