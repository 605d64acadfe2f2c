/**
 * Naive builders of capture files for tests, written apart from the code under test:
 * frames (Ethernet, SLL, SLL2, null/loopback; IPv4, IPv6) around TCP segments, and pcap /
 * pcapng files around the frames. Checksums are left zero (readers do not check them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CAPTURES_DIR } from '../../../support/test-hosts';

export type Link = 'ethernet' | 'sll' | 'sll2' | 'null' | 'loop';
export const LINK_TYPES: Record<Link, number> = { ethernet: 1, null: 0, loop: 108, sll: 113, sll2: 276 };

export interface Segment {
  t: number;
  fromClient: boolean;
  seq: number;
  ack: number;
  flags: number;
  payload: Buffer;
}

export const SYN = 0x02;
export const ACK = 0x10;
export const FIN = 0x01;
export const PSH = 0x08;

export interface Endpoints {
  v6?: boolean;
  clientPort?: number;
  serverPort?: number;
}

function ipPacket(seg: Segment, ends: Endpoints): Buffer {
  const tcp = Buffer.alloc(20 + seg.payload.length);
  tcp.writeUInt16BE(seg.fromClient ? (ends.clientPort ?? 51000) : (ends.serverPort ?? 4155), 0);
  tcp.writeUInt16BE(seg.fromClient ? (ends.serverPort ?? 4155) : (ends.clientPort ?? 51000), 2);
  tcp.writeUInt32BE(seg.seq >>> 0, 4);
  tcp.writeUInt32BE(seg.ack >>> 0, 8);
  tcp[12] = 0x50;
  tcp[13] = seg.flags;
  tcp.writeUInt16BE(65535, 14);
  seg.payload.copy(tcp, 20);
  const client = ends.v6 ? Buffer.from('fd000000000000000000000000000001', 'hex') : Buffer.from([10, 0, 0, 1]);
  const server = ends.v6 ? Buffer.from('fd000000000000000000000000000002', 'hex') : Buffer.from([10, 0, 0, 2]);
  const [src, dst] = seg.fromClient ? [client, server] : [server, client];
  if (ends.v6) {
    // With a hop-by-hop options header (8 bytes of padding options) before TCP.
    const ip = Buffer.alloc(40 + 8);
    ip[0] = 0x60;
    ip.writeUInt16BE(8 + tcp.length, 4);
    ip[6] = 0; // hop-by-hop
    ip[7] = 64;
    src.copy(ip, 8);
    dst.copy(ip, 24);
    ip[40] = 6; // next: TCP
    ip[41] = 0; // (0 + 1) * 8 bytes
    ip[42] = 1; // PadN
    ip[43] = 4;
    return Buffer.concat([ip, tcp]);
  }
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + tcp.length, 2);
  ip.writeUInt16BE(0x4000, 6);
  ip[8] = 64;
  ip[9] = 6;
  src.copy(ip, 12);
  dst.copy(ip, 16);
  return Buffer.concat([ip, tcp]);
}

export function frame(link: Link, seg: Segment, ends: Endpoints = {}): Buffer {
  const ip = ipPacket(seg, ends);
  const etherType = ends.v6 ? 0x86dd : 0x0800;
  switch (link) {
    case 'ethernet': {
      // With an 802.1Q tag, and padding as short Ethernet frames have.
      const head = Buffer.alloc(18);
      head.writeUInt16BE(0x8100, 12);
      head.writeUInt16BE(7, 14);
      head.writeUInt16BE(etherType, 16);
      const padding = Buffer.alloc(Math.max(0, 64 - 18 - ip.length));
      return Buffer.concat([head, ip, padding]);
    }
    case 'sll': {
      const head = Buffer.alloc(16);
      head.writeUInt16BE(etherType, 14);
      return Buffer.concat([head, ip]);
    }
    case 'sll2': {
      const head = Buffer.alloc(20);
      head.writeUInt16BE(etherType, 0);
      return Buffer.concat([head, ip]);
    }
    case 'null': {
      const head = Buffer.alloc(4);
      head.writeUInt32LE(ends.v6 ? 30 : 2);
      return Buffer.concat([head, ip]);
    }
    case 'loop': {
      const head = Buffer.alloc(4);
      head.writeUInt32BE(ends.v6 ? 24 : 2);
      return Buffer.concat([head, ip]);
    }
  }
}

export interface Packet {
  t: number;
  data: Buffer;
}

/** Classic pcap: little-endian microseconds, or big-endian nanoseconds. */
export function pcapFile(linkType: number, packets: Packet[], opts: { bigEndianNanos?: boolean } = {}): Buffer {
  const be = !!opts.bigEndianNanos;
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    if (be) b.writeUInt32BE(n >>> 0);
    else b.writeUInt32LE(n >>> 0);
    return b;
  };
  const u16 = (n: number) => {
    const b = Buffer.alloc(2);
    if (be) b.writeUInt16BE(n);
    else b.writeUInt16LE(n);
    return b;
  };
  const parts: Buffer[] = [u32(be ? 0xa1b23c4d : 0xa1b2c3d4), u16(2), u16(4), u32(0), u32(0), u32(262144), u32(linkType)];
  for (const p of packets) {
    const seconds = Math.floor(p.t / 1000);
    const fraction = Math.round((p.t - seconds * 1000) * (be ? 1e6 : 1e3));
    parts.push(u32(seconds), u32(fraction), u32(p.data.length), u32(p.data.length), p.data);
  }
  return Buffer.concat(parts);
}

function block(type: number, body: Buffer): Buffer {
  const padded = Buffer.concat([body, Buffer.alloc((4 - (body.length % 4)) % 4)]);
  const head = Buffer.alloc(8);
  head.writeUInt32LE(type, 0);
  head.writeUInt32LE(12 + padded.length, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(12 + padded.length);
  return Buffer.concat([head, padded, tail]);
}

/** pcapng (little-endian): nanosecond interface (if_tsresol 9), packets as EPBs, plus a name resolution block to skip. */
export function pcapngFile(linkType: number, packets: Packet[]): Buffer {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeInt32LE(-1, 8);
  shb.writeInt32LE(-1, 12);
  const idb = Buffer.alloc(8 + 8 + 4);
  idb.writeUInt16LE(linkType, 0);
  idb.writeUInt32LE(262144, 4);
  idb.writeUInt16LE(9, 8); // if_tsresol
  idb.writeUInt16LE(1, 10);
  idb[12] = 9; // 10^-9
  // opt_endofopt at 16
  const blocks = [block(0x0a0d0d0a, shb), block(1, idb), block(4, Buffer.alloc(4))];
  for (const p of packets) {
    const ns = BigInt(Math.round(p.t * 1e6));
    const head = Buffer.alloc(20);
    head.writeUInt32LE(0, 0);
    head.writeUInt32LE(Number(ns >> 32n), 4);
    head.writeUInt32LE(Number(ns & 0xffffffffn), 8);
    head.writeUInt32LE(p.data.length, 12);
    head.writeUInt32LE(p.data.length, 16);
    blocks.push(block(6, Buffer.concat([head, p.data])));
  }
  return Buffer.concat(blocks);
}

export interface FixtureChunk {
  dir: 'c2s' | 's2c';
  t: number;
  bytes: Buffer;
}

/** A recorded connection of tests/fixtures/captures (real Breezy traffic, as read and written). */
export function fixtureChunks(name: string): FixtureChunk[] {
  const lines = readFileSync(join(CAPTURES_DIR, `${name}.jsonl`), 'utf8').trim().split('\n').slice(1);
  return lines.map((l) => {
    const { dir, t, hex } = JSON.parse(l) as { dir: 'c2s' | 's2c'; t: number; hex: string };
    return { dir, t, bytes: Buffer.from(hex, 'hex') };
  });
}

/** The TCP conversation carrying `chunks`: handshake, one segment per chunk (each acknowledged), FINs. */
export function conversation(chunks: FixtureChunk[], start = 1_700_000_000_000): Segment[] {
  let c = 1_000_000;
  let s = 4_294_967_000; // the server's sequence numbers wrap past 2^32
  const segs: Segment[] = [
    { t: start, fromClient: true, seq: c - 1, ack: 0, flags: SYN, payload: Buffer.alloc(0) },
    { t: start, fromClient: false, seq: s - 1, ack: c, flags: SYN | ACK, payload: Buffer.alloc(0) },
    { t: start, fromClient: true, seq: c, ack: s, flags: ACK, payload: Buffer.alloc(0) },
  ];
  for (const chunk of chunks) {
    const t = start + chunk.t * 1000;
    const fromClient = chunk.dir === 'c2s';
    segs.push({ t, fromClient, seq: fromClient ? c : s, ack: fromClient ? s : c, flags: ACK | PSH, payload: chunk.bytes });
    if (fromClient) c = (c + chunk.bytes.length) >>> 0;
    else s = (s + chunk.bytes.length) >>> 0;
    segs.push({ t, fromClient: !fromClient, seq: fromClient ? s : c, ack: fromClient ? c : s, flags: ACK, payload: Buffer.alloc(0) });
  }
  const end = segs[segs.length - 1].t + 1;
  segs.push({ t: end, fromClient: true, seq: c, ack: s, flags: FIN | ACK, payload: Buffer.alloc(0) });
  segs.push({ t: end, fromClient: false, seq: s, ack: c + 1, flags: FIN | ACK, payload: Buffer.alloc(0) });
  segs.push({ t: end, fromClient: true, seq: c + 1, ack: s + 1, flags: ACK, payload: Buffer.alloc(0) });
  return segs;
}
