/**
 * At most `max` sockets per user on this node. A handshake takes its place synchronously once the user
 * is known, so concurrent handshakes cannot all slip under the cap; the place is given back when the
 * socket disconnects, or when the handshake never became a connection.
 */
export interface SocketCap {
  /** A place for one more socket of this user, or null when the user holds `max` already. */
  reserve(userId: string): SocketPlace | null;
  held(userId: string): number;
}

export interface SocketPlace {
  /** Gives the place back; calling it again does nothing. */
  release(): void;
}

export function createSocketCap(max: number): SocketCap {
  const counts = new Map<string, number>();
  return {
    reserve(userId) {
      const count = counts.get(userId) ?? 0;
      if (count >= max) return null;
      counts.set(userId, count + 1);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          const left = (counts.get(userId) ?? 1) - 1;
          if (left > 0) counts.set(userId, left);
          else counts.delete(userId);
        },
      };
    },
    held: (userId) => counts.get(userId) ?? 0,
  };
}
