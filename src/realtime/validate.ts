import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { GatehouseError } from '../core/index.js';
import { MESSAGE_ID_PATTERN } from './message-id.js';

/**
 * Client room names: no colon, so a client can never name an internal room (`user:…`,
 * `dm:…`, or a socket id) and listen in on someone else's traffic.
 */
const RoomName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$' });
// Bytes are checked separately (GH_REALTIME_MESSAGE_TOO_LARGE); this bound only stops absurd strings early.
const Text = Type.String({ minLength: 1, maxLength: 1_000_000 });
const Cursor = Type.String({ pattern: MESSAGE_ID_PATTERN.source });

export const schemas = {
  room: RoomName,
  send: Type.Object({ room: RoomName, text: Text }),
  direct: Type.Object({ to: Type.String({ minLength: 1, maxLength: 128 }), text: Text }),
  refresh: Type.Object({ token: Type.Optional(Type.String({ minLength: 1, maxLength: 16_384 })) }),
  history: Type.Object({
    room: RoomName,
    before: Type.Optional(Cursor),
    after: Type.Optional(Cursor),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  }),
  historyDirect: Type.Object({
    with: Type.String({ minLength: 1, maxLength: 128 }),
    before: Type.Optional(Cursor),
    after: Type.Optional(Cursor),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  }),
  typing: Type.Object({ room: RoomName }),
  broadcast: Type.Object({ text: Text }),
};

type Checker<T extends TSchema> = (value: unknown) => Static<T>;

function compile<T extends TSchema>(schema: T): Checker<T> {
  const checker = TypeCompiler.Compile(schema);
  return (value) => {
    if (checker.Check(value)) return value;
    const first = checker.Errors(value).First();
    throw new GatehouseError('GH_REALTIME_INVALID_PAYLOAD', {
      details: first ? { path: first.path || '/', problem: first.message } : {},
    });
  };
}

export const parse = {
  room: compile(schemas.room),
  send: compile(schemas.send),
  direct: compile(schemas.direct),
  refresh: compile(schemas.refresh),
  history: compile(schemas.history),
  historyDirect: compile(schemas.historyDirect),
  typing: compile(schemas.typing),
  broadcast: compile(schemas.broadcast),
};

/** The size rule counts bytes, not characters: what crosses the wire and lands in SQL. */
export function checkTextSize(text: string, maxBytes: number): void {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new GatehouseError('GH_REALTIME_MESSAGE_TOO_LARGE', { details: { maxBytes } });
  }
}
