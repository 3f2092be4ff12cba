import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Encrypts provider secrets (session ids, API keys) at rest with AES-256-GCM.
 * Stored form: `v1:<iv b64>:<tag b64>:<ciphertext b64>`; the version prefix lets us rotate schemes.
 */
export class SecretBox {
  private readonly key: Buffer;
  private readonly lookupKey: Buffer;

  constructor(secretKey: string) {
    this.key = createHash('sha256').update(`dreamloom-secret-box:${secretKey}`).digest();
    // A separate key, so the lookup hashes say nothing about the encryption key.
    this.lookupKey = createHash('sha256').update(`dreamloom-secret-lookup:${secretKey}`).digest();
  }

  /**
   * A deterministic, keyed fingerprint (hex HMAC-SHA256) for finding a sealed secret by value:
   * `seal` uses a random IV, so two seals of one secret never compare equal.
   */
  lookupHash(plaintext: string): string {
    return createHmac('sha256', this.lookupKey).update(plaintext, 'utf8').digest('hex');
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      'v1',
      iv.toString('base64'),
      cipher.getAuthTag().toString('base64'),
      ciphertext.toString('base64'),
    ].join(':');
  }

  open(sealed: string): string {
    const [version, iv, tag, ciphertext] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || ciphertext === undefined)
      throw new Error('Unrecognised sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString(
      'utf8',
    );
  }
}

/** Masks a secret for display: the first and last four characters, or stars for short ones. */
export function maskSecret(secret: string): string {
  if (secret.length <= 10) return '*'.repeat(Math.max(secret.length, 4));
  return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}
