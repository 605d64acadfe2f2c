/**
 * Trace events → a pcapng that Wireshark and tshark decode with their own `bzr` dissector:
 * one TCP connection per medium, to port 4155 (the port the dissector knows), its
 * requests and responses as the trace recorded them, at the trace's times.
 *
 * A trace holds only each message's first RAW_CAPTURE_BYTES (`raw`). Those bytes are
 * written; the sequence numbers still advance by the message's whole length, so a
 * truncated message shows in Wireshark as a segment not captured, never as made-up
 * bytes, and its packet carries a comment saying how much was recorded. Calls with no
 * recorded bytes (e.g. imported from a brz log) cannot be exported and are counted.
 */
import type { EngineEvent, RawBytes } from '../events';
import { BZR_DEFAULT_PORT } from '../host-port';
import { fromBase64 } from './base64';
import { TCP_ACK, TCP_FIN, TCP_SYN } from './packet';
import { PcapngWriter, type TcpEndpoint } from './pcapng-writer';

/** The port exports use: tshark's `bzr` dissector knows it. */
export const BZR_PORT = BZR_DEFAULT_PORT;

export interface ExportOptions {
  /** Only these calls (all when absent). */
  callIds?: ReadonlySet<string>;
  application?: string;
}

export interface PcapngExport {
  bytes: Uint8Array;
  connections: number;
  calls: number;
  /** Calls written with a message cut short (marked by a packet comment). */
  truncatedCalls: number;
  /** Calls left out: no bytes of theirs were recorded. */
  unrecordedCalls: number;
}

interface ExportCall {
  callId: string;
  verb: string;
  requestT: number;
  request: RawBytes | null;
  responseT: number | null;
  response: RawBytes | null;
  /** How the call ended without a whole response. */
  error: string | null;
}

interface ExportMedium {
  id: string;
  peer: string;
  role: 'server' | 'client';
  openedT: number | null;
  closedT: number | null;
  calls: ExportCall[];
}

export function exportPcapng(events: readonly EngineEvent[], options: ExportOptions = {}): PcapngExport {
  const mediums = collect(events, options.callIds);
  const writer = new PcapngWriter(options.application ?? 'hpss-inspector');
  const result: PcapngExport = { bytes: new Uint8Array(0), connections: 0, calls: 0, truncatedCalls: 0, unrecordedCalls: 0 };
  let index = 0;
  for (const m of mediums) {
    const recorded = m.calls.filter((c) => c.request);
    result.unrecordedCalls += m.calls.length - recorded.length;
    if (recorded.length === 0) continue;
    index++;
    result.connections++;
    const { client, server } = endpoints(m, index);
    const first = m.openedT ?? recorded[0].requestT;
    let c2s = 1000;
    let s2c = 5000;
    const note = `hpss: medium ${m.id} (${m.role} side, peer ${m.peer})`;
    writer.tcp(first, client, server, c2s - 1, 0, TCP_SYN, new Uint8Array(0), note);
    writer.tcp(first, server, client, s2c - 1, c2s, TCP_SYN | TCP_ACK, new Uint8Array(0));
    writer.tcp(first, client, server, c2s, s2c, TCP_ACK, new Uint8Array(0));
    let last = first;
    for (const call of recorded) {
      result.calls++;
      const request = call.request as RawBytes;
      const notes: string[] = [];
      if (request.truncated) notes.push(`request: ${captured(request)} of ${request.length} bytes recorded`);
      if (call.response?.truncated) notes.push(`response: ${captured(call.response)} of ${call.response.length} bytes recorded`);
      if (call.error) notes.push(`the response is not whole (${call.error})`);
      else if (!call.response) notes.push('no response recorded');
      if (request.truncated || call.response?.truncated || call.error) result.truncatedCalls++;
      const comment = notes.length ? `hpss: call ${call.callId} (${call.verb}): ${notes.join('; ')}` : undefined;
      last = Math.max(last, call.requestT);
      writer.tcp(last, client, server, c2s, s2c, TCP_ACK, fromBase64(request.base64), comment);
      c2s += request.length;
      if (call.response) {
        last = Math.max(last, call.responseT ?? last);
        writer.tcp(last, server, client, s2c, c2s, TCP_ACK, fromBase64(call.response.base64));
        s2c += call.response.length;
      }
    }
    const end = Math.max(last, m.closedT ?? last);
    writer.tcp(end, client, server, c2s, s2c, TCP_FIN | TCP_ACK, new Uint8Array(0));
    writer.tcp(end, server, client, s2c, c2s + 1, TCP_FIN | TCP_ACK, new Uint8Array(0));
    writer.tcp(end, client, server, c2s + 1, s2c + 1, TCP_ACK, new Uint8Array(0));
  }
  result.bytes = writer.bytes();
  return result;
}

function captured(raw: RawBytes): number {
  return Math.floor((raw.base64.replace(/=+$/, '').length * 3) / 4);
}

function collect(events: readonly EngineEvent[], only: ReadonlySet<string> | undefined): ExportMedium[] {
  const mediums = new Map<string, ExportMedium>();
  const calls = new Map<string, ExportCall>();
  const medium = (id: string): ExportMedium => {
    let m = mediums.get(id);
    if (!m) {
      m = { id, peer: 'unknown', role: 'server', openedT: null, closedT: null, calls: [] };
      mediums.set(id, m);
    }
    return m;
  };
  for (const e of events) {
    switch (e.type) {
      case 'medium-opened': {
        const m = medium(e.mediumId);
        m.peer = e.peer;
        m.role = e.role;
        m.openedT ??= e.t;
        break;
      }
      case 'medium-closed':
        if (!e.reconnectable) medium(e.mediumId).closedT = e.t;
        break;
      case 'call-started': {
        if (only && !only.has(e.callId)) break;
        const call: ExportCall = { callId: e.callId, verb: e.verb, requestT: e.t, request: e.raw ?? null, responseT: null, response: null, error: null };
        calls.set(e.callId, call);
        medium(e.mediumId).calls.push(call);
        break;
      }
      case 'call-finished': {
        const call = calls.get(e.callId);
        if (!call) break;
        // The app's client records the request as finally sent on call-finished.
        if (e.requestRaw) call.request = e.requestRaw;
        if (e.raw && e.raw.length > 0) {
          call.response = e.raw;
          call.responseT = e.t;
        }
        if (e.error) call.error = `${e.error.kind} error: ${e.error.message}`;
        break;
      }
      default:
        break;
    }
  }
  return [...mediums.values()];
}

/** A server medium's peer is the client; a client medium's is the server. IPv4 peers keep their address; the server's port is always 4155. */
function endpoints(m: ExportMedium, index: number): { client: TcpEndpoint; server: TcpEndpoint } {
  const peer = /^(\d+)\.(\d+)\.(\d+)\.(\d+):(\d+)$/.exec(m.peer);
  const ip = peer ? ([1, 2, 3, 4].map((i) => Number(peer[i]) & 255) as TcpEndpoint['ip']) : null;
  const ephemeral = 40000 + (index % 20000);
  if (m.role === 'server') return { client: { ip: ip ?? [127, 0, 0, 1], port: peer ? Number(peer[5]) : ephemeral }, server: { ip: [127, 0, 0, 1], port: BZR_PORT } };
  return { client: { ip: [127, 0, 0, 1], port: ephemeral }, server: { ip: ip ?? [127, 0, 0, 2], port: BZR_PORT } };
}
