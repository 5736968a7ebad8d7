import { hash, hashSync, parseOptions, verify, verifySync, type Algorithm, type Options } from '@node-rs/argon2';
import type { Config } from '../core/index.js';
import type { PasswordHasher } from './types.js';
import { normalizePassword } from './password-policy.js';

// Algorithm is an ambient const enum (not usable under isolatedModules): 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

/**
 * argon2id with the configured parameters (OWASP: 19 MiB, t=2, p=1). The async calls run on the libuv
 * thread pool, off the event loop; `lab.syncHashOnLoop` switches to the blocking calls to show the cost.
 * Passwords are NFKC-normalised here too, so callers cannot forget it.
 */
export function createPasswordHasher(config: Config): PasswordHasher {
  const options: Options = {
    algorithm: ARGON2ID,
    memoryCost: config.passwords.memoryCostKiB,
    timeCost: config.passwords.timeCost,
    parallelism: config.passwords.parallelism,
  };
  const onLoop = config.lab.syncHashOnLoop;
  return {
    async hash(pw) {
      const input = normalizePassword(pw);
      return onLoop ? hashSync(input, options) : hash(input, options);
    },
    async verify(stored, pw) {
      const input = normalizePassword(pw);
      try {
        return onLoop ? verifySync(stored, input) : await verify(stored, input);
      } catch {
        // A corrupt stored hash is a failed login, never a 500 that tells the account exists.
        return false;
      }
    },
    needsRehash(stored) {
      try {
        const parsed = parseOptions(stored);
        return (
          parsed.algorithm !== ARGON2ID ||
          parsed.memoryCost !== options.memoryCost ||
          parsed.timeCost !== options.timeCost ||
          parsed.parallelism !== options.parallelism
        );
      } catch {
        return true;
      }
    },
  };
}
