/**
 * The forwarder's client certificate from files (PEM key, PEM chain leaf
 * first), for hosts where the guest agent's certificate was saved to disk.
 * Read on the first connection, again after a failure and to renew the
 * certificate before its notAfter; the key is never logged or put in an error.
 */
import { readFile } from 'node:fs/promises';
import { attestationError } from '../errors.js';
import type { DstackTlsKey } from '../postgres/guest-agent.js';

export interface ClientCertificateFiles {
  /** PEM private key (PKCS#8 or SEC1). */
  readonly keyFile: string;
  /** PEM certificates, the RA-TLS leaf first. */
  readonly certificateFile: string;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----/g;

async function read(path: string, field: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw attestationError('InvalidArgument', `cannot read ${field} ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { check: `options.clientCertificate.${field}` });
  }
}

/** A `clientCertificate` function reading `files` (for createRaTlsForwarder or the connector). */
export function clientCertificateFromFiles(files: ClientCertificateFiles): () => Promise<DstackTlsKey> {
  if (files === null || typeof files !== 'object' || typeof files.keyFile !== 'string' || typeof files.certificateFile !== 'string') {
    throw attestationError('InvalidArgument', 'clientCertificate files need keyFile and certificateFile paths', { check: 'options.clientCertificate' });
  }
  return async () => {
    const key = await read(files.keyFile, 'keyFile');
    if (!/-----BEGIN (EC |)PRIVATE KEY-----/.test(key)) {
      throw attestationError('InvalidArgument', `${files.keyFile} holds no PEM private key`, { check: 'options.clientCertificate.keyFile' });
    }
    const chain = (await read(files.certificateFile, 'certificateFile')).match(PEM_CERT) ?? [];
    if (chain.length === 0) {
      throw attestationError('InvalidArgument', `${files.certificateFile} holds no PEM certificate`, { check: 'options.clientCertificate.certificateFile' });
    }
    return { key, certificateChain: chain };
  };
}
