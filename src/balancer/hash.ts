/**
 * A fast, well-mixed 32-bit string hash (FNV-1a, then murmur3's finaliser so nearby inputs such as
 * 127.0.0.2 and 127.0.0.3 land far apart). Not cryptographic: it only spreads keys.
 */
export function hash32(value: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    h ^= value.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
