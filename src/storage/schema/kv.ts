export interface KvTables {
  kv_entries: {
    key: string;
    value: string;
    /** Epoch ms, or null for no expiry. */
    expires_at: number | null;
  };
}
