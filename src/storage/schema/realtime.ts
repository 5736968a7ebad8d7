export interface RealtimeTables {
  /** Chat history: room messages and direct messages, newest last by `id` (time-ordered). */
  realtime_messages: {
    /** Time-ordered id (sorts by time, then by node-local sequence); also the client's dedup key. */
    id: string;
    /** Internal room key: `room:<name>` or `dm:<userA>:<userB>` (sorted ids). */
    room: string;
    user_id: string;
    user_name: string | null;
    text: string;
    /** Epoch ms. */
    ts: number;
  };
}
