/**
 * Secrets at rest: AES-256-GCM with a random 96-bit IV per value, and timing-safe comparison of tokens.
 *
 * Ciphertext format (text, safe for a `text` column): `v1.<keyId>.<iv>.<tag>.<ciphertext>`, each part
 * base64url. `keyId` is the first 8 hex digits of SHA-256(key), so a value names the key that sealed it and
 * keys can be rotated without losing data.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Thrown when a sealed value cannot be opened: wrong key, unknown key id, or tampered data. */
export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

/** Seals and opens secrets with one current key and any number of older keys kept for reading. */
export class SecretBox {
  private readonly current: { id: string; key: Buffer };
  private readonly keys = new Map<string, Buffer>();

  /**
   * @param currentKey 32-byte key used to seal new values.
   * @param previousKeys older 32-byte keys still accepted when opening.
   * @throws RangeError when a key is not 32 bytes.
   */
  constructor(currentKey: Buffer, previousKeys: Buffer[] = []) {
    for (const key of [currentKey, ...previousKeys]) {
      if (key.length !== 32) throw new RangeError('encryption keys must be 32 bytes');
      this.keys.set(keyId(key), key);
    }
    this.current = { id: keyId(currentKey), key: currentKey };
  }

  /** Encrypts `plaintext` (UTF-8) with the current key. */
  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ['v1', this.current.id, b64(iv), b64(tag), b64(ciphertext)].join('.');
  }

  /**
   * Decrypts a value made by `seal`.
   *
   * @throws DecryptionError when the format, key id or authentication tag is wrong.
   */
  open(sealed: string): string {
    const [version, id, iv, tag, ciphertext] = sealed.split('.');
    const key = id ? this.keys.get(id) : undefined;
    if (version !== 'v1' || !key || iv === undefined || tag === undefined || ciphertext === undefined) {
      throw new DecryptionError('sealed value has an unknown format or key');
    }
    const tagBytes = Buffer.from(tag, 'base64url');
    // A shortened tag would make forgery far easier: only the full 16 bytes are accepted.
    if (tagBytes.length !== 16) throw new DecryptionError('sealed value has a malformed authentication tag');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'), {
        authTagLength: 16,
      });
      decipher.setAuthTag(tagBytes);
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new DecryptionError('sealed value failed authentication');
    }
  }
}

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

function b64(buffer: Buffer): string {
  return buffer.toString('base64url');
}

/** Compares two secrets in time independent of where they differ (hashing first equalises lengths). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
