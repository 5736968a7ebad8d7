import { parseOptions } from '@node-rs/argon2';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../core/index.js';
import { createPasswordHasher } from './index.js';

/** Event-loop turns (setImmediate) that run while `work` is pending: > 0 only if it left the loop free. */
async function loopTurnsDuring(work: () => Promise<unknown>): Promise<number> {
  let turns = 0;
  let done = false;
  const spin = (): void => {
    if (done) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  await work();
  done = true;
  return turns;
}

describe('argon2id password hasher', () => {
  it('hashes with the OWASP parameters by default: argon2id, 19 MiB, t=2, p=1', async () => {
    const hasher = createPasswordHasher(loadConfig().config);
    const hash = await hasher.hash('tangerine-otter-42');
    expect(hash.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(parseOptions(hash)).toMatchObject({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });
    expect(await hasher.verify(hash, 'tangerine-otter-42')).toBe(true);
    expect(await hasher.verify(hash, 'tangerine-otter-43')).toBe(false);
    expect(hasher.needsRehash(hash)).toBe(false);
  });

  it('verifies the NFKC form: the same password typed another way matches', async () => {
    const hasher = createPasswordHasher(loadConfig({ passwords: { memoryCostKiB: 1024, timeCost: 1 } }).config);
    const hash = await hasher.hash('ｃａｆé-password'); // full-width letters, composed é
    expect(await hasher.verify(hash, 'cafe\u0301-password')).toBe(true); // ASCII letters, e + combining accent
  });

  it('needs a rehash when any parameter changed, and for a hash it cannot read', async () => {
    const old = createPasswordHasher(loadConfig({ passwords: { memoryCostKiB: 1024, timeCost: 1 } }).config);
    const hash = await old.hash('tangerine-otter-42');
    expect(createPasswordHasher(loadConfig({ passwords: { memoryCostKiB: 2048, timeCost: 1 } }).config).needsRehash(hash)).toBe(true);
    expect(createPasswordHasher(loadConfig({ passwords: { memoryCostKiB: 1024, timeCost: 2 } }).config).needsRehash(hash)).toBe(true);
    expect(createPasswordHasher(loadConfig({ passwords: { memoryCostKiB: 1024, timeCost: 1, parallelism: 2 } }).config).needsRehash(hash)).toBe(true);
    expect(old.needsRehash(hash)).toBe(false);
    expect(old.needsRehash('$2b$10$not-an-argon2-hash')).toBe(true);
    // A corrupt stored hash is a failed verify, never an exception.
    expect(await old.verify('garbage', 'tangerine-otter-42')).toBe(false);
  });

  it('hashes off the event loop; the lab switch puts it back on the loop', async () => {
    const { config } = loadConfig();
    const offLoop = createPasswordHasher(config);
    const onLoop = createPasswordHasher(loadConfig({ lab: { syncHashOnLoop: true } }).config);
    // While the libuv pool hashes, the loop keeps turning; a blocking hash allows no turn at all.
    expect(await loopTurnsDuring(() => offLoop.hash('tangerine-otter-42'))).toBeGreaterThan(0);
    expect(await loopTurnsDuring(() => onLoop.hash('tangerine-otter-42'))).toBe(0);
    const hash = await onLoop.hash('tangerine-otter-42');
    expect(await loopTurnsDuring(() => onLoop.verify(hash, 'tangerine-otter-42'))).toBe(0);
    expect(await offLoop.verify(hash, 'tangerine-otter-42')).toBe(true);
  });
});
