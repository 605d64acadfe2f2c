/**
 * A pcap or pcapng capture → the trace events of its HPSS connections. Fed the file in
 * chunks (any split); each TCP connection is reassembled, recognised as HPSS by its first
 * bytes on any port (a request marker, or a v1 request line naming a known verb; where the
 * start was not captured, a v3 message whose first part is a request's `s` or a response's
 * `o`, or a v2 request/response marker), then decoded by `CapturedConnection`.
 *
 * Bounded: until a connection is recognised at most PROBE_BYTES of each direction are kept;
 * after that bytes go straight to the decoders.
 */
import type { EngineEvent } from '../events';
import { concatBytes, MESSAGE_VERSION_THREE, PART_ONE_BYTE, PART_STRUCTURE, REQUEST_VERSION_TWO, RESPONSE_VERSION_TWO, verbInfo } from '../protocol';
import { CaptureFormatError, CaptureReader, type CaptureFormat } from './capture-reader';
import { CapturedConnection, indexOf } from './captured-connection';
import { ImportedEvents } from './imported-events';
import { isKnownLinkType, tcpSegmentOf } from './packet';
import { TcpConnectionTable, type TcpConnection } from './tcp-reassembly';

export const PROBE_BYTES = 64 * 1024;

export interface CaptureImport {
  format: CaptureFormat | null;
  events: EngineEvent[];
  /** What could not be decoded, each naming its connection; empty when everything decoded. */
  problems: string[];
  packets: number;
  tcpConnections: number;
  hpssConnections: number;
}

interface Probe {
  chunks: { fromA: boolean; bytes: Uint8Array | null; missing: number; t: number }[];
  held: { a: number; b: number };
  openedAt: number;
}

type Role = { clientIsA: boolean } | 'not-hpss' | 'undecided';

export class CaptureImporter {
  private readonly out = new ImportedEvents();
  private readonly reader = new CaptureReader((p) => this.packet(p.linkType, p.data, p.originalLength, p.t));
  private readonly table: TcpConnectionTable;
  private readonly probes = new Map<TcpConnection, Probe>();
  private readonly hpss = new Map<TcpConnection, { conn: CapturedConnection; clientIsA: boolean }>();
  private readonly problems: string[] = [];
  private readonly unknownLinkTypes = new Set<number>();
  private packets = 0;
  /** TCP connections found not to be HPSS. */
  private ignored = 0;
  private lastT = 0;
  private callSeq = 0;
  private mediumSeq = 0;
  private stopped = false;

  constructor() {
    this.table = new TcpConnectionTable({
      opened: (c, t) => this.probes.set(c, { chunks: [], held: { a: 0, b: 0 }, openedAt: t }),
      data: (c, fromA, bytes, t) => this.data(c, fromA, bytes, 0, t),
      gap: (c, fromA, missing, t) => this.data(c, fromA, null, missing, t),
      closed: (c, t, reason) => this.closed(c, t, reason),
    });
  }

  /** The next bytes of the file. A malformed file stops the reading; what was read is kept and the fault is a problem. */
  feed(chunk: Uint8Array): void {
    if (this.stopped) return;
    try {
      this.reader.feed(chunk);
    } catch (err) {
      if (!(err instanceof CaptureFormatError)) throw err;
      this.stopped = true;
      this.problems.push(`the capture file is damaged: ${err.message}; packets after that are not read`);
    }
  }

  finish(): CaptureImport {
    if (!this.stopped) {
      try {
        const cut = this.reader.finish();
        if (cut > 0) this.problems.push(`the capture file ends inside a packet record (its last ${cut} bytes): it was cut short`);
      } catch (err) {
        if (!(err instanceof CaptureFormatError)) throw err;
        this.problems.push(err.message);
      }
    }
    this.table.finish(this.lastT);
    for (const type of this.unknownLinkTypes) this.problems.push(`packets of link type ${type} are not read (known: Ethernet, Linux cooked SLL/SLL2, null/loopback, raw IP)`);
    for (const { conn } of this.hpss.values()) this.problems.push(...conn.problems.map((p) => `${conn.mediumId}: ${p}`));
    return {
      format: this.reader.detectedFormat,
      events: this.out.stamped(),
      problems: this.problems,
      packets: this.packets,
      tcpConnections: this.hpss.size + this.ignored,
      hpssConnections: this.hpss.size,
    };
  }

  private packet(linkType: number, frame: Uint8Array, originalLength: number, t: number): void {
    this.packets++;
    this.lastT = Math.max(this.lastT, t);
    if (!isKnownLinkType(linkType)) {
      this.unknownLinkTypes.add(linkType);
      return;
    }
    const segment = tcpSegmentOf(linkType, frame, originalLength);
    if (segment) this.table.segment(segment, t);
  }

  private data(c: TcpConnection, fromA: boolean, bytes: Uint8Array | null, missing: number, t: number): void {
    const known = this.hpss.get(c);
    if (known) {
      const dir = known.clientIsA === fromA ? 'c2s' : 's2c';
      if (bytes) known.conn.data(dir, bytes, t);
      else known.conn.gap(dir, missing, t);
      return;
    }
    const probe = this.probes.get(c);
    if (!probe) return; // already found not to be HPSS
    probe.chunks.push({ fromA, bytes: bytes ? new Uint8Array(bytes) : null, missing, t });
    probe.held[fromA ? 'a' : 'b'] += bytes ? bytes.length : 0;
    this.decide(c, probe, false);
  }

  private closed(c: TcpConnection, t: number, reason: string): void {
    const probe = this.probes.get(c);
    if (probe) this.decide(c, probe, true);
    this.hpss.get(c)?.conn.close(t, reason);
  }

  private decide(c: TcpConnection, probe: Probe, ending: boolean): void {
    let role = roleOf(c, probe);
    if (role === 'undecided' && (ending || (probe.held.a >= PROBE_BYTES && probe.held.b >= PROBE_BYTES))) role = 'not-hpss';
    if (role === 'undecided' && (probe.held.a >= PROBE_BYTES || probe.held.b >= PROBE_BYTES) && c.opener !== null) role = 'not-hpss';
    if (role === 'undecided') return;
    this.probes.delete(c);
    if (role === 'not-hpss') {
      this.ignored++;
      return;
    }
    const { clientIsA } = role;
    const client = clientIsA ? c.a : c.b;
    const server = clientIsA ? c.b : c.a;
    const startSeen = c.fromA.startSeen && c.fromB.startSeen;
    const conn = new CapturedConnection(this.out, `m${++this.mediumSeq}`, () => `c${++this.callSeq}`, { t: probe.openedAt, client, server, startSeen });
    this.hpss.set(c, { conn, clientIsA });
    for (const chunk of probe.chunks) {
      const dir = chunk.fromA === clientIsA ? 'c2s' : 's2c';
      if (chunk.bytes) conn.data(dir, chunk.bytes, chunk.t);
      else conn.gap(dir, chunk.missing, chunk.t);
    }
  }
}

/** The first bytes of one direction, joined (gaps end them). */
function leading(probe: Probe, fromA: boolean): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const c of probe.chunks) {
    if (c.fromA !== fromA) continue;
    if (!c.bytes) break;
    parts.push(c.bytes);
  }
  return concatBytes(parts);
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean | null {
  const n = Math.min(bytes.length, prefix.length);
  for (let i = 0; i < n; i++) if (bytes[i] !== prefix[i]) return false;
  return bytes.length >= prefix.length ? true : null;
}

function roleOf(c: TcpConnection, probe: Probe): Role {
  const a = leading(probe, true);
  const b = leading(probe, false);
  if (c.opener !== null && (c.opener === 'a' ? c.fromA : c.fromB).startSeen) {
    const clientIsA = c.opener === 'a';
    const first = clientIsA ? a : b;
    if (first.length === 0) return 'undecided';
    const looks = requestStart(first);
    return looks === null ? 'undecided' : looks ? { clientIsA } : 'not-hpss';
  }
  // Entered mid-stream: a marker anywhere in what we hold tells the roles.
  for (const [bytes, isA] of [[a, true], [b, false]] as const) {
    const kind = markedMessageKind(bytes);
    if (kind) return { clientIsA: kind === 'request' ? isA : !isA };
  }
  return 'undecided';
}

/** Whether a client stream starts like an HPSS request; null while too short to tell. */
function requestStart(first: Uint8Array): boolean | null {
  const v3 = startsWith(first, MESSAGE_VERSION_THREE);
  const v2 = startsWith(first, REQUEST_VERSION_TWO);
  if (v3 || v2) return true;
  // A v1 request is a line of fields separated by 0x01, the first a verb.
  const end = first.findIndex((x) => x === 0x0a || x === 0x01);
  if (end < 0) return v3 === null || v2 === null || first.length < 64 ? null : false;
  return verbInfo(new TextDecoder().decode(first.subarray(0, end))) !== undefined;
}

/** The kind of the first v3 message (or v2 marker) found in `bytes`, by its first part: a request's `s`, a response's `o`. */
function markedMessageKind(bytes: Uint8Array): 'request' | 'response' | null {
  if (indexOf(bytes, REQUEST_VERSION_TWO) >= 0) return 'request';
  if (indexOf(bytes, RESPONSE_VERSION_TWO) >= 0) return 'response';
  for (let i = indexOf(bytes, MESSAGE_VERSION_THREE); i >= 0; i = indexOf(bytes, MESSAGE_VERSION_THREE, i + 1)) {
    const at = i + MESSAGE_VERSION_THREE.length;
    if (bytes.length < at + 4) return null;
    const headersLength = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, false);
    const part = bytes[at + 4 + headersLength];
    if (part === PART_STRUCTURE) return 'request';
    if (part === PART_ONE_BYTE) return 'response';
    if (part === undefined) return null;
  }
  return null;
}
