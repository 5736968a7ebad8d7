// Flooding a chat socket with events, unknown ones included: past a per-socket budget the server
// neither handles nor answers them (only an event that asked for an ack is told it was limited).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/index.js';
import { createTestDatabase } from '../support/services.js';
import { chatClient, createCredentialTable, open, principal, startChatNode, type ChatNode } from '../support/realtime.js';

const PER_SECOND = 4;

describe('every inbound socket event is rate-limited', () => {
  const clock = createManualClock();
  const table = createCredentialTable();
  let handle: Awaited<ReturnType<typeof createTestDatabase>>;
  let node: ChatNode;

  beforeAll(async () => {
    handle = await createTestDatabase('sqlite');
    table.tokens.set('tok-flood', principal('flooder', 'jwt', 'fam-flood', null));
    node = await startChatNode({ db: handle.db, clock, table, config: { realtime: { messagesPerSecond: PER_SECOND } } });
  }, 60_000);
  afterAll(async () => {
    await node?.close();
    await handle?.dispose();
  });

  it('200 unknown events get at most one budget of answers, and the socket stays usable later', async () => {
    const socket = chatClient(node.url, { token: 'tok-flood' });
    await open(socket);
    let errors = 0;
    socket.on('chat:error', () => (errors += 1));
    for (let i = 0; i < 200; i += 1) socket.emit(`junk:${i}`, { i });
    // Socket.IO keeps order: when this ack arrives, every event before it has been dealt with.
    const sentinel = await socket.timeout(15_000).emitWithAck('junk:last', {});
    expect(sentinel).toMatchObject({ error: 'GH_REALTIME_RATE_LIMITED' });
    // The clock never moved: at most the burst capacity of the inbound bucket was answered.
    expect(errors).toBeLessThanOrEqual(PER_SECOND * 5);
    expect(errors).toBeGreaterThan(0);
    clock.advance(10_000);
    expect(await socket.timeout(15_000).emitWithAck('junk:after', {})).toMatchObject({ error: 'GH_REALTIME_UNKNOWN_EVENT' });
    socket.disconnect();
  });
});
