import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, cryptoIds, loadConfig, sha256 } from '../core/index.js';
import type { Database } from '../storage/index.js';
import { createTestDatabase } from '../../test/support/services.js';
import { createRefreshTokens, type RefreshTokens } from './refresh-tokens.js';

describe.each(['sqlite', 'postgres'] as const)('refresh tokens on %s', (dialect) => {
  const clock = createManualClock();
  const { config } = loadConfig({ tokens: { refreshIdleSec: 3_600, refreshAbsoluteSec: 86_400, refreshGraceSec: 10 } });
  let db: Kysely<Database>;
  let refresh: RefreshTokens;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    const handle = await createTestDatabase(dialect);
    db = handle.db;
    dispose = handle.dispose;
    refresh = createRefreshTokens({ db, clock, ids: cryptoIds, config });
  });
  afterAll(() => dispose());

  const start = (userId = 'user-1') => refresh.start({ userId, ip: '203.0.113.9', userAgent: 'test', scope: 'api' });

  it('issues 256-bit opaque tokens stored only as their hash', async () => {
    const { token, familyId } = await start();
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const rows = await db.selectFrom('refresh_tokens').selectAll().where('family_id', '=', familyId).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.hash).toBe(sha256(token));
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('rotates on every use; the old token then belongs to the past', async () => {
    const first = await start();
    const second = await refresh.rotate(first.token);
    expect(second).toMatchObject({ familyId: first.familyId, userId: 'user-1', scope: 'api' });
    expect(second.token).not.toBe(first.token);
    const third = await refresh.rotate(second.token);
    expect(third.token).not.toBe(second.token);
  });

  it('two concurrent refreshes with one token both get the same successor', async () => {
    const { token } = await start();
    const results = await Promise.all([refresh.rotate(token), refresh.rotate(token), refresh.rotate(token)]);
    expect(new Set(results.map((r) => r.token)).size).toBe(1);
    // And the successor is a working token of its own.
    await expect(refresh.rotate(results[0].token)).resolves.toMatchObject({ userId: 'user-1' });
  });

  it('a retry inside the grace window gets the same successor; reuse after it kills the family only', async () => {
    const victim = await start();
    const other = await start();
    const next = await refresh.rotate(victim.token);
    clock.advance(10_000);
    expect((await refresh.rotate(victim.token)).token).toBe(next.token);
    clock.advance(1);
    const error = await refresh.rotate(victim.token).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'GH_TOKEN_REFRESH_REUSED', internal: { familyId: victim.familyId, userId: 'user-1' } });
    // The whole family is dead, including the successor the legitimate client holds…
    await expect(refresh.rotate(next.token)).rejects.toMatchObject({ code: 'GH_TOKEN_REFRESH_INVALID' });
    const family = await db.selectFrom('refresh_families').selectAll().where('id', '=', victim.familyId).executeTakeFirstOrThrow();
    expect(family.revoke_reason).toBe('reuse');
    // …but another sign-in of the same user lives on.
    await expect(refresh.rotate(other.token)).resolves.toMatchObject({ familyId: other.familyId });
  });

  it('expires a family left idle, and any family at its absolute lifetime', async () => {
    const idle = await start();
    clock.advance(3_600_000);
    await expect(refresh.rotate(idle.token)).rejects.toMatchObject({ code: 'GH_TOKEN_REFRESH_EXPIRED' });

    let { token } = await start();
    for (let hour = 0; hour < 23; hour++) {
      clock.advance(3_600_000 - 1);
      ({ token } = await refresh.rotate(token));
    }
    clock.advance(86_400_000 - 23 * (3_600_000 - 1));
    await expect(refresh.rotate(token)).rejects.toMatchObject({ code: 'GH_TOKEN_REFRESH_EXPIRED' });
  });

  it('sweeps dead families and their tokens, and only those', async () => {
    const dying = await start('user-sweep');
    clock.advance(1_800_000);
    const living = await start('user-sweep');
    clock.advance(1_800_000);
    expect(await refresh.sweep(1000)).toBeGreaterThanOrEqual(1);
    expect(await db.selectFrom('refresh_tokens').select('hash').where('family_id', '=', dying.familyId).execute()).toHaveLength(0);
    expect(await db.selectFrom('refresh_families').select('id').where('id', '=', dying.familyId).execute()).toHaveLength(0);
    await expect(refresh.rotate(living.token)).resolves.toMatchObject({ familyId: living.familyId });
  });

  it('refuses unknown or malformed tokens with a coded error', async () => {
    for (const junk of ['', 'nope', 'A'.repeat(43), "' OR 1=1 --", 'x'.repeat(5000)]) {
      await expect(refresh.rotate(junk)).rejects.toMatchObject({ code: 'GH_TOKEN_REFRESH_INVALID' });
    }
  });

  it('revokes one family, or every family of a user', async () => {
    const a = await start('user-2');
    const b = await start('user-2');
    const c = await start('user-3');
    expect((await refresh.listFamilies('user-2')).map((f) => f.id).sort()).toEqual([a.familyId, b.familyId].sort());
    await refresh.revokeFamily(a.familyId);
    await expect(refresh.rotate(a.token)).rejects.toMatchObject({ code: 'GH_TOKEN_REFRESH_INVALID' });
    expect(await refresh.revokeUser('user-2')).toEqual([b.familyId]);
    await expect(refresh.rotate(b.token)).rejects.toMatchObject({ code: 'GH_TOKEN_REFRESH_INVALID' });
    await expect(refresh.rotate(c.token)).resolves.toMatchObject({ userId: 'user-3' });
    expect(await refresh.familyOf(c.token)).toEqual({ familyId: c.familyId, userId: 'user-3' });
  });
});
