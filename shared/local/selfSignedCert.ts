import { generate } from 'selfsigned';

/** A key and self-signed certificate (PEM) for a local HTTPS server. */
export interface LocalCertificate {
  key: string;
  cert: string;
}

/**
 * Generates a certificate for `localhost` and `127.0.0.1` at startup (nothing is committed).
 * Clients trust it by passing `cert` as their CA, e.g. `tlsOptions: { ca: cert }` for Azure SDK clients.
 */
export async function createLocalCertificate(): Promise<LocalCertificate> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    // EC keys generate in milliseconds; RSA 2048 would cost every test file a second.
    keyType: 'ec',
    curve: 'P-256',
    notAfterDate: new Date(Date.now() + 2 * 24 * 3600 * 1000),
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
