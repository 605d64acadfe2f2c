/**
 * From a captured link-layer frame to its TCP segment: link types Ethernet (with 802.1Q
 * tags), BSD null/loopback (host and network byte order), Linux cooked SLL and SLL2, raw
 * IP; then IPv4 or IPv6 (extension headers skipped); then TCP. Anything else (ARP, UDP,
 * IP fragments) is not a TCP segment and answers null.
 *
 * Ethernet: dst(6) src(6) ethertype(2) [0x8100: tci(2) ethertype(2)]
 * null:     family u32 in the capturing host's order (2 = IPv4; 24, 28, 30 = IPv6); LOOP: big-endian
 * SLL:      packet type(2) arphrd(2) addr len(2) addr(8) protocol(2)          = 16 bytes
 * SLL2:     protocol(2) reserved(2) ifindex(4) arphrd(2) type(1) addr len(1) addr(8) = 20 bytes
 * IPv4:     ver/ihl, tos, total length(2), id(2), flags/fragment(2), ttl, protocol, sum(2), src(4), dst(4), [options]
 * IPv6:     ver/class/flow(4), payload length(2), next header, hop limit, src(16), dst(16), [extension headers]
 * TCP:      src port(2) dst port(2) seq(4) ack(4) data offset/flags(2) window(2) sum(2) urgent(2) [options] DATA
 */

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const IPPROTO_TCP = 6;
const IPV6_EXTENSIONS = new Set([0, 43, 60]); // hop-by-hop, routing, destination options
const IPV6_FRAGMENT = 44;

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

export interface TcpSegment {
  /** Address and port as text: `1.2.3.4:5` or `[::1]:5`. */
  src: string;
  dst: string;
  srcPort: number;
  dstPort: number;
  seq: number;
  /** The acknowledgement number (meaningful with TCP_ACK). */
  ack: number;
  flags: number;
  /** The payload as captured (a view of the frame). */
  payload: Uint8Array;
  /** Payload bytes the segment carried on the wire but the capture cut off (snap length). */
  cutBytes: number;
}

/** Link types this reader understands. */
export function isKnownLinkType(linkType: number): boolean {
  return [LINKTYPE_NULL, LINKTYPE_ETHERNET, LINKTYPE_RAW, LINKTYPE_LOOP, LINKTYPE_LINUX_SLL, LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_LINUX_SLL2].includes(linkType);
}

/** The TCP segment in a frame, or null when it holds none. `originalLength` is the frame's length on the wire. */
export function tcpSegmentOf(linkType: number, frame: Uint8Array, originalLength = frame.length): TcpSegment | null {
  const ip = ipPayloadOf(linkType, frame);
  if (!ip) return null;
  const segment = ip.version === 4 ? ipv4(frame, ip.at) : ipv6(frame, ip.at);
  // A frame cut at the snap length may have lost its IP header's claim too: the wire length tells.
  if (segment && originalLength > frame.length) segment.cutBytes = Math.max(segment.cutBytes, originalLength - frame.length);
  return segment;
}

function u16(b: Uint8Array, at: number): number {
  return (b[at] << 8) | b[at + 1];
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function byEthertype(type: number, at: number): { version: 4 | 6; at: number } | null {
  if (type === ETHERTYPE_IPV4) return { version: 4, at };
  if (type === ETHERTYPE_IPV6) return { version: 6, at };
  return null;
}

function ipPayloadOf(linkType: number, f: Uint8Array): { version: 4 | 6; at: number } | null {
  switch (linkType) {
    case LINKTYPE_ETHERNET: {
      if (f.length < 14) return null;
      let type = u16(f, 12);
      let at = 14;
      while (type === ETHERTYPE_VLAN && f.length >= at + 4) {
        type = u16(f, at + 2);
        at += 4;
      }
      return byEthertype(type, at);
    }
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP: {
      if (f.length < 4) return null;
      const be = u32(f, 0);
      const le = (f[0] | (f[1] << 8) | (f[2] << 16) | (f[3] << 24)) >>> 0;
      const family = linkType === LINKTYPE_LOOP ? be : be < 0x10000 ? be : le;
      if (family === 2) return { version: 4, at: 4 };
      if (family === 24 || family === 28 || family === 30) return { version: 6, at: 4 };
      return null;
    }
    case LINKTYPE_LINUX_SLL:
      return f.length < 16 ? null : byEthertype(u16(f, 14), 16);
    case LINKTYPE_LINUX_SLL2:
      return f.length < 20 ? null : byEthertype(u16(f, 0), 20);
    case LINKTYPE_RAW:
      return f.length < 1 ? null : { version: f[0] >> 4 === 6 ? 6 : 4, at: 0 };
    case LINKTYPE_IPV4:
      return { version: 4, at: 0 };
    case LINKTYPE_IPV6:
      return { version: 6, at: 0 };
    default:
      return null;
  }
}

function ipv4(f: Uint8Array, at: number): TcpSegment | null {
  if (f.length < at + 20 || f[at] >> 4 !== 4) return null;
  const headerLength = (f[at] & 0x0f) * 4;
  const total = u16(f, at + 2);
  const fragment = u16(f, at + 6);
  if (f[at + 9] !== IPPROTO_TCP || (fragment & 0x3fff) !== 0 || headerLength < 20) return null;
  const address = (o: number): string => `${f[o]}.${f[o + 1]}.${f[o + 2]}.${f[o + 3]}`;
  // The total length bounds the payload: Ethernet pads short frames.
  const end = Math.min(f.length, at + total);
  return tcp(f, at + headerLength, end, address(at + 12), address(at + 16), at + total - end);
}

function ipv6(f: Uint8Array, at: number): TcpSegment | null {
  if (f.length < at + 40 || f[at] >> 4 !== 6) return null;
  const payloadLength = u16(f, at + 4);
  let next = f[at + 6];
  let o = at + 40;
  while (IPV6_EXTENSIONS.has(next)) {
    if (f.length < o + 8) return null;
    next = f[o];
    o += (f[o + 1] + 1) * 8;
  }
  if (next === IPV6_FRAGMENT || next !== IPPROTO_TCP) return null;
  const address = (base: number): string => {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(u16(f, base + i).toString(16));
    return `[${groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')}]`;
  };
  const wireEnd = at + 40 + payloadLength;
  const end = Math.min(f.length, wireEnd);
  return tcp(f, o, end, address(at + 8), address(at + 24), wireEnd - end);
}

function tcp(f: Uint8Array, at: number, end: number, src: string, dst: string, cutBytes: number): TcpSegment | null {
  if (end < at + 20) return null;
  const dataOffset = (f[at + 12] >> 4) * 4;
  if (dataOffset < 20 || at + dataOffset > end) return null;
  return {
    src,
    dst,
    srcPort: u16(f, at),
    dstPort: u16(f, at + 2),
    seq: u32(f, at + 4),
    ack: u32(f, at + 8),
    flags: f[at + 13],
    payload: f.subarray(at + dataOffset, end),
    cutBytes,
  };
}
