/**
 * Passwords: the policy a new password must meet, and hashing with argon2id (@node-rs/argon2, prebuilt
 * binaries, no compiler needed).
 *
 * Policy (NIST SP 800-63B style: length and a blocklist, no composition rules): 12 to 256 characters,
 * not one of the 49,000 common passwords of zxcvbn-ts's list (compared in lower case), not the email.
 * Hashing uses OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane), which are also the library's
 * defaults; the PHC string records them, so older hashes keep verifying if they change.
 */
import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';
import { randomBytes } from 'node:crypto';
import { HttpError } from '../http/errors.ts';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

// The library's default algorithm is argon2id; its enum is a `const enum`, which native TypeScript
// cannot import, so the algorithm is left to the default (checked by the tests on the PHC prefix).
const ARGON2_OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

const COMMON_PASSWORDS: ReadonlySet<string> = new Set(dictionary['passwords-common']);

// Verified when the email matches no user, so that an unknown email costs as much as a wrong password.
// Made at start with the current options (so its cost follows them), not on the first unknown email,
// which would then take twice as long as a wrong password.
const DUMMY_HASH = hash(randomBytes(16), ARGON2_OPTIONS);

/** Length in characters (code points), so that an emoji counts once. */
const lengthOf = (value: string) => [...value].length;

/**
 * The reasons `password` breaks the policy for the account `email` (empty when it is acceptable).
 * Each reason is a short English sentence fragment, e.g. `must be at least 12 characters`.
 */
export function checkPasswordPolicy(password: string, email: string): string[] {
  const reasons: string[] = [];
  const length = lengthOf(password);
  if (length < PASSWORD_MIN_LENGTH) reasons.push(`must be at least ${PASSWORD_MIN_LENGTH} characters`);
  if (length > PASSWORD_MAX_LENGTH) reasons.push(`must be at most ${PASSWORD_MAX_LENGTH} characters`);
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower)) reasons.push('is a commonly used password');
  if (lower === email.trim().toLowerCase()) reasons.push('must not be the email address');
  return reasons;
}

/**
 * Throws unless `password` meets the policy for `email`.
 *
 * @throws HttpError 400 `weak_password`, the message listing every reason.
 */
export function enforcePasswordPolicy(password: string, email: string): void {
  const reasons = checkPasswordPolicy(password, email);
  if (reasons.length > 0) throw new HttpError(400, 'weak_password', `the password ${reasons.join('; ')}`);
}

/** The argon2id hash of `password`, as a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/**
 * True when `password` matches `passwordHash`. With no hash (unknown account) it verifies against a
 * dummy hash and answers false, taking as long as a wrong password would.
 */
export async function verifyPassword(passwordHash: string | undefined, password: string): Promise<boolean> {
  if (passwordHash === undefined) {
    await verify(await DUMMY_HASH, password);
    return false;
  }
  return verify(passwordHash, password);
}
