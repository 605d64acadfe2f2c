/**
 * Writes pcapng: a section header, one Ethernet interface (microsecond timestamps) and
 * enhanced packet blocks carrying IPv4/TCP frames made here, each optionally with a
 * comment. Checksums are computed, so Wireshark flags nothing that is not in the data.
 *
 * BLOCK  = type u32, total length u32, BODY (padded to 4), total length u32   (little-endian)
 * SHB    = 0x0A0D0D0A: byte-order magic 0x1A2B3C4D, version 1.0, section length −1, options
 * IDB    = 1: link type u16, reserved u16, snap length u32, options
 * EPB    = 6: interface u32, timestamp high u32, low u32, captured u32, original u32, DATA, options
 * option = code u16, length u16, value padded to 4; `opt_endofopt` (0) ends the list
 */
import { concatBytes } from '../protocol';
import { LINKTYPE_ETHERNET, TCP_ACK } from './packet';

const SHB = 0x0a0d0d0a;
const IDB = 1;
const EPB = 6;
const OPT_COMMENT = 1;
const OPT_SHB_USERAPPL = 4;
const SNAP_LENGTH = 262144;
const TCP_PSH = 0x08;

const encoder = new TextEncoder();

export interface TcpEndpoint {
  /** IPv4 address as four numbers. */
  ip: [number, number, number, number];
  port: number;
}

/** Collects blocks; `bytes()` joins them. */
export class PcapngWriter {
  private readonly blocks: Uint8Array[] = [];

  constructor(application: string) {
    const body = concatBytes([u32(0x1a2b3c4d), u16(1), u16(0), u32(0xffffffff), u32(0xffffffff), options([[OPT_SHB_USERAPPL, application]])]);
    this.block(SHB, body);
    this.block(IDB, concatBytes([u16(LINKTYPE_ETHERNET), u16(0), u32(SNAP_LENGTH), options([])]));
  }

  /** One TCP segment from `from` to `to` at `t` (ms since the epoch). */
  tcp(t: number, from: TcpEndpoint, to: TcpEndpoint, seq: number, ack: number, flags: number, payload: Uint8Array, comment?: string): void {
    const frame = ethernetIpv4Tcp(from, to, seq, ack, flags | (payload.length > 0 ? TCP_PSH : 0), payload);
    const micros = Math.max(0, Math.round(t * 1000));
    const high = Math.floor(micros / 2 ** 32);
    const low = micros - high * 2 ** 32;
    const padded = pad4(frame);
    const body = concatBytes([u32(0), u32(high), u32(low), u32(frame.length), u32(frame.length), padded, options(comment ? [[OPT_COMMENT, comment]] : [])]);
    this.block(EPB, body);
  }

  bytes(): Uint8Array {
    return concatBytes(this.blocks);
  }

  private block(type: number, body: Uint8Array): void {
    const total = 12 + body.length;
    this.blocks.push(concatBytes([u32(type), u32(total), body, u32(total)]));
  }
}

function u16(n: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, n, true);
  return b;
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

function pad4(b: Uint8Array): Uint8Array {
  const extra = (4 - (b.length % 4)) % 4;
  return extra === 0 ? b : concatBytes([b, new Uint8Array(extra)]);
}

function options(list: [number, string][]): Uint8Array {
  if (list.length === 0) return new Uint8Array(0);
  const parts: Uint8Array[] = [];
  for (const [code, text] of list) {
    const value = encoder.encode(text);
    parts.push(u16(code), u16(value.length), pad4(value));
  }
  parts.push(u16(0), u16(0));
  return concatBytes(parts);
}


/** The ones' complement sum of 16-bit big-endian words, folded. */
function checksum(parts: Uint8Array[]): number {
  let sum = 0;
  for (const p of parts) {
    for (let i = 0; i + 1 < p.length; i += 2) sum += (p[i] << 8) | p[i + 1];
    if (p.length % 2) sum += p[p.length - 1] << 8;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Ethernet II (locally administered MACs) + IPv4 (20 bytes, DF, TTL 64) + TCP (20 bytes, window 65535). */
function ethernetIpv4Tcp(from: TcpEndpoint, to: TcpEndpoint, seq: number, ack: number, flags: number, payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(14 + 20 + 20 + payload.length);
  const v = new DataView(frame.buffer);
  frame.set([0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1], 0);
  v.setUint16(12, 0x0800);
  const ip = 14;
  v.setUint8(ip, 0x45);
  v.setUint16(ip + 2, 40 + payload.length);
  v.setUint16(ip + 6, 0x4000);
  v.setUint8(ip + 8, 64);
  v.setUint8(ip + 9, 6);
  frame.set(from.ip, ip + 12);
  frame.set(to.ip, ip + 16);
  v.setUint16(ip + 10, checksum([frame.subarray(ip, ip + 20)]));
  const tcp = ip + 20;
  v.setUint16(tcp, from.port);
  v.setUint16(tcp + 2, to.port);
  v.setUint32(tcp + 4, seq >>> 0);
  v.setUint32(tcp + 8, flags & TCP_ACK ? ack >>> 0 : 0);
  v.setUint8(tcp + 12, 5 << 4);
  v.setUint8(tcp + 13, flags);
  v.setUint16(tcp + 14, 65535);
  frame.set(payload, tcp + 20);
  const pseudo = new Uint8Array(12);
  pseudo.set(from.ip, 0);
  pseudo.set(to.ip, 4);
  new DataView(pseudo.buffer).setUint16(8, 6);
  new DataView(pseudo.buffer).setUint16(10, 20 + payload.length);
  v.setUint16(tcp + 16, checksum([pseudo, frame.subarray(tcp)]));
  return frame;
}
