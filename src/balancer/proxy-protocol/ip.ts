import { isIPv4, isIPv6 } from 'node:net';

// Address <-> bytes for the v2 binary header. node:net validates text addresses but has no API that
// turns them into network-order bytes, so this small codec does, in the forms Node itself prints.

export function ipv4ToBytes(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

export function bytesToIpv4(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

export function ipv6ToBytes(address: string): Buffer {
  const out = Buffer.alloc(16);
  let text = address;
  // An embedded dotted IPv4 tail (::ffff:1.2.3.4) fills the last 4 bytes.
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  let tailBytes: Buffer | undefined;
  if (tail.includes('.')) {
    tailBytes = ipv4ToBytes(tail);
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', rest] = text.split('::') as [string, string | undefined];
  const headGroups = head === '' ? [] : head.split(':');
  const restGroups = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups =
    rest === undefined ? headGroups : [...headGroups, ...Array<string>(8 - headGroups.length - restGroups.length).fill('0'), ...restGroups];
  groups.forEach((group, i) => out.writeUInt16BE(Number.parseInt(group, 16), i * 2));
  if (tailBytes) tailBytes.copy(out, 12);
  return out;
}

/** RFC 5952 text (longest zero run compressed), with IPv4-mapped addresses as Node prints them. */
export function bytesToIpv6(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, 16);
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) {
    return `::ffff:${bytesToIpv4(b.subarray(12, 16))}`;
  }
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i));
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Canonical text for an address Node or a user gave: IPv6 re-printed, IPv4 as is, else undefined. */
export function canonicalIp(address: string): { family: 'ipv4' | 'ipv6'; address: string } | undefined {
  if (isIPv4(address)) return { family: 'ipv4', address };
  if (isIPv6(address) && !address.includes('%')) return { family: 'ipv6', address: bytesToIpv6(ipv6ToBytes(address)) };
  return undefined;
}

/** `::ffff:1.2.3.4` (how a dual-stack listener reports an IPv4 peer) → `1.2.3.4`; others unchanged. */
export function unmapIpv4(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}
