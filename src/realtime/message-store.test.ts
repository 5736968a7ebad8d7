import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, cryptoIds } from '../core/index.js';
import { createTestDatabase, type TestDialect } from '../../test/support/services.js';
import { createMessageIds, MESSAGE_ID_PATTERN } from './message-id.js';
import { createSqlMessageStore, type MessageStore } from './message-store.js';

describe.each<TestDialect>(['sqlite', 'postgres'])('message history on %s', (dialect) => {
  let handle: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: MessageStore;
  const clock = createManualClock();
  const ids = createMessageIds(clock, cryptoIds);
  const written: string[] = [];

  beforeAll(async () => {
    handle = await createTestDatabase(dialect);
    store = createSqlMessageStore(handle.db);
    // Several messages in the same millisecond, then time moves: ids must still come back in send order.
    for (let i = 0; i < 7; i++) {
      if (i % 3 === 0) clock.advance(5);
      const { id, ts } = ids.next();
      written.push(id);
      await store.append({ id, room: 'room:general', userId: 'u1', userName: 'U1', text: `m${i}`, ts });
    }
    await store.append({ ...{ id: ids.next().id, room: 'room:other', userId: 'u2', userName: null, text: 'elsewhere', ts: clock.now() } });
  });
  afterAll(async () => handle?.dispose());

  it('ids match the cursor pattern and strictly increase', () => {
    for (const id of written) expect(id).toMatch(MESSAGE_ID_PATTERN);
    expect([...written].sort()).toEqual(written);
    expect(new Set(written).size).toBe(written.length);
  });

  it('pages backwards from the newest, oldest first within a page', async () => {
    const newest = await store.page('room:general', { limit: 3 });
    expect(newest.messages.map((m) => m.text)).toEqual(['m4', 'm5', 'm6']);
    expect(newest.more).toBe(true);
    const older = await store.page('room:general', { before: newest.messages[0]!.id, limit: 3 });
    expect(older.messages.map((m) => m.text)).toEqual(['m1', 'm2', 'm3']);
    const oldest = await store.page('room:general', { before: older.messages[0]!.id, limit: 3 });
    expect(oldest.messages.map((m) => m.text)).toEqual(['m0']);
    expect(oldest.more).toBe(false);
  });

  it('pages forwards after a cursor (catching up after a disconnect)', async () => {
    const page = await store.page('room:general', { after: written[2], limit: 3 });
    expect(page.messages.map((m) => m.text)).toEqual(['m3', 'm4', 'm5']);
    expect(page.more).toBe(true);
    const rest = await store.page('room:general', { after: written[5], limit: 3 });
    expect(rest.messages.map((m) => m.text)).toEqual(['m6']);
    expect(rest.more).toBe(false);
  });

  it('keeps rooms apart and returns numbers for times', async () => {
    const other = await store.page('room:other', { limit: 10 });
    expect(other.messages).toHaveLength(1);
    expect(other.messages[0]).toMatchObject({ text: 'elsewhere', userId: 'u2', userName: null });
    expect(typeof other.messages[0]!.ts).toBe('number');
  });
});
