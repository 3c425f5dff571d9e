// SecretBox guards shop access tokens and webhook secrets at rest: a value must open only with the key that
// sealed it and only if no byte was changed, and key rotation must not lose data.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';

import { DecryptionError, SecretBox, secretsEqual } from './crypto.ts';

const PARTS = { version: 0, keyId: 1, iv: 2, tag: 3, ciphertext: 4 } as const;

function parts(sealed: string): string[] {
  const split = sealed.split('.');
  assert.equal(split.length, 5, `unexpected format: ${sealed}`);
  return split;
}

/** Re-encodes one base64url part with byte `index` xor-ed by `mask`, so the bytes really change. */
function flipByte(sealed: string, part: number, index: number, mask: number): string {
  const split = parts(sealed);
  const bytes = Buffer.from(split[part]!, 'base64url');
  bytes[index % bytes.length]! ^= mask;
  split[part] = bytes.toString('base64url');
  return split.join('.');
}

describe('SecretBox', () => {
  const key = randomBytes(32);
  const box = new SecretBox(key);

  it('opens what it sealed', () => {
    for (const text of ['shpat_0123456789abcdef', '', 'a.b.c', 'é 漢字 🙂 \u0000 line\nbreak']) {
      assert.equal(box.open(box.seal(text)), text);
    }
  });

  it('opens what it sealed for any unicode text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => assert.equal(box.open(box.seal(text)), text)),
    );
  });

  it('writes v1.<keyId>.<iv>.<tag>.<ciphertext> with a 12-byte IV and a 16-byte tag', () => {
    const [version, keyId, iv, tag, ciphertext] = parts(box.seal('secret'));
    assert.equal(version, 'v1');
    assert.match(keyId!, /^[0-9a-f]{8}$/);
    assert.equal(Buffer.from(iv!, 'base64url').length, 12);
    assert.equal(Buffer.from(tag!, 'base64url').length, 16);
    // GCM is a stream mode: the ciphertext is as long as the UTF-8 plaintext, and must not be the plaintext.
    assert.equal(Buffer.from(ciphertext!, 'base64url').length, 6);
    assert.notEqual(Buffer.from(ciphertext!, 'base64url').toString('utf8'), 'secret');
  });

  it('uses a fresh IV per value, so two seals of the same text differ', () => {
    const a = box.seal('same text');
    const b = box.seal('same text');
    assert.notEqual(a, b);
    assert.notEqual(parts(a)[PARTS.iv], parts(b)[PARTS.iv]);
    assert.equal(box.open(a), box.open(b));
  });

  for (const name of ['iv', 'tag', 'ciphertext'] as const) {
    it(`rejects a value whose ${name} was changed in any byte`, () => {
      const sealed = box.seal('shpat_0123456789abcdef');
      fc.assert(
        fc.property(fc.nat(), fc.integer({ min: 1, max: 255 }), (index, mask) => {
          assert.throws(() => box.open(flipByte(sealed, PARTS[name], index, mask)), DecryptionError);
        }),
      );
    });
  }

  it('rejects a value whose key id was changed', () => {
    const sealed = parts(box.seal('secret'));
    const id = sealed[PARTS.keyId]!;
    sealed[PARTS.keyId] = (id[0] === '0' ? '1' : '0') + id.slice(1);
    assert.throws(() => box.open(sealed.join('.')), DecryptionError);
  });

  it('rejects a value relabelled with the id of another key it holds', () => {
    // Both keys are known to this box, so only the authentication tag can catch the swap.
    const other = randomBytes(32);
    const rotating = new SecretBox(key, [other]);
    const otherId = parts(new SecretBox(other).seal('x'))[PARTS.keyId]!;
    const sealed = parts(rotating.seal('secret'));
    sealed[PARTS.keyId] = otherId;
    assert.throws(() => rotating.open(sealed.join('.')), DecryptionError);
  });

  it('rejects a value sealed with a key it does not hold', () => {
    const stranger = new SecretBox(randomBytes(32));
    assert.throws(() => box.open(stranger.seal('secret')), DecryptionError);
  });

  it('rejects a value whose tag was truncated', () => {
    const sealed = parts(box.seal('secret'));
    sealed[PARTS.tag] = Buffer.from(sealed[PARTS.tag]!, 'base64url').subarray(0, 4).toString('base64url');
    assert.throws(() => box.open(sealed.join('.')), DecryptionError);
  });

  it('opens values sealed with a previous key after rotation, and seals with the new key', () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const before = new SecretBox(oldKey);
    const sealedBefore = before.seal('shpat_old');

    const after = new SecretBox(newKey, [oldKey]);
    assert.equal(after.open(sealedBefore), 'shpat_old');

    const sealedAfter = after.seal('shpat_new');
    assert.notEqual(parts(sealedAfter)[PARTS.keyId], parts(sealedBefore)[PARTS.keyId]);
    assert.equal(new SecretBox(newKey).open(sealedAfter), 'shpat_new');
    // The old key alone cannot read what the rotated box writes.
    assert.throws(() => before.open(sealedAfter), DecryptionError);
    // Dropping the old key from the list makes old values unreadable, as it should.
    assert.throws(() => new SecretBox(newKey).open(sealedBefore), DecryptionError);
  });

  it('throws RangeError for keys that are not 32 bytes', () => {
    for (const size of [0, 16, 31, 33, 64]) {
      assert.throws(() => new SecretBox(randomBytes(size)), RangeError, `current key of ${size} bytes`);
      assert.throws(
        () => new SecretBox(randomBytes(32), [randomBytes(size)]),
        RangeError,
        `previous key of ${size} bytes`,
      );
    }
  });

  it('throws DecryptionError for values in an unknown format', () => {
    const [, keyId, iv, tag, ciphertext] = parts(box.seal('secret'));
    const malformed = [
      '',
      'plain text',
      'v1',
      `v1.${keyId}.${iv}.${tag}`,
      `v2.${keyId}.${iv}.${tag}.${ciphertext}`,
      `.${keyId}.${iv}.${tag}.${ciphertext}`,
      `v1..${iv}.${tag}.${ciphertext}`,
    ];
    for (const value of malformed) {
      assert.throws(() => box.open(value), DecryptionError, `accepted ${JSON.stringify(value)}`);
    }
  });
});

describe('secretsEqual', () => {
  it('is true for equal secrets', () => {
    assert.equal(secretsEqual('s3cret-admin-token', 's3cret-admin-token'), true);
    assert.equal(secretsEqual('', ''), true);
  });

  it('is false for different secrets of the same length', () => {
    assert.equal(secretsEqual('s3cret-admin-token', 's3cret-admin-tokeN'), false);
  });

  it('is false for secrets of different lengths, prefixes included', () => {
    assert.equal(secretsEqual('s3cret', 's3cret-admin-token'), false);
    assert.equal(secretsEqual('s3cret-admin-token', 's3cret'), false);
    assert.equal(secretsEqual('', 'x'), false);
  });

  it('agrees with === for any pair of strings', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => assert.equal(secretsEqual(a, b), a === b)));
  });
});
