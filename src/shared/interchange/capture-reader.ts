/**
 * Push-based reader of packet capture files: classic pcap (libpcap, micro- or nanosecond
 * timestamps, either byte order) and pcapng (section header, interface descriptions,
 * enhanced and simple packet blocks; other blocks skipped). Fed chunks split anywhere;
 * only a record that straddles chunks is copied, and no record may exceed
 * MAX_RECORD_BYTES, so memory stays bounded whatever the file.
 *
 * pcap:   GLOBAL_HEADER(24: magic u32, major u16, minor u16, zone i32, sigfigs u32, snaplen u32, linktype u32)
 *         (RECORD_HEADER(16: ts_sec u32, ts_frac u32, incl_len u32, orig_len u32) DATA[incl_len])*
 * pcapng: (BLOCK: type u32, total_len u32, BODY, total_len u32)*   byte order from the SHB's magic
 *         SHB 0x0A0D0D0A: byte-order magic 0x1A2B3C4D, version, section length, options
 *         IDB 1: linktype u16, reserved u16, snaplen u32, options (if_tsresol = 9)
 *         EPB 6: interface u32, ts_high u32, ts_low u32, captured u32, original u32, DATA (padded to 4)
 *         SPB 3: original u32, DATA (interface 0, no timestamp)
 */

/** One captured packet: its link-layer frame as recorded (possibly cut at the snap length). */
export interface CapturedPacket {
  /** Milliseconds since the Unix epoch (fractional: micro- or nanosecond precision kept as far as a double does). */
  t: number;
  linkType: number;
  data: Uint8Array;
  /** The packet's length on the wire (more than `data` when the capture cut it). */
  originalLength: number;
}

export type CaptureFormat = 'pcap' | 'pcapng';

export class CaptureFormatError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'CaptureFormatError';
  }
}

/** The largest record accepted: pcapng blocks and pcap records are far smaller in practice (snap length 256 KiB). */
export const MAX_RECORD_BYTES = 16 * 1024 * 1024;

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const PCAPNG_IDB = 1;
const PCAPNG_SPB = 3;
const PCAPNG_EPB = 6;
const OPT_IF_TSRESOL = 9;

/** The format of a file from its first four bytes, or null when it is neither. */
export function captureFormatOf(head: Uint8Array): CaptureFormat | null {
  if (head.length < 4) return null;
  const be = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, false);
  const le = new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true);
  if (be === PCAPNG_SHB) return 'pcapng';
  if ([be, le].some((m) => m === PCAP_MAGIC_US || m === PCAP_MAGIC_NS)) return 'pcap';
  return null;
}

interface Interface {
  linkType: number;
  /** Timestamp units per second. */
  unitsPerSecond: number;
}

export class CaptureReader {
  private pending: Uint8Array = new Uint8Array(0);
  /** Stream offset of pending[0]. */
  private base = 0;
  private format: CaptureFormat | null = null;
  private little = true;
  private pcapLinkType = 0;
  private pcapNanos = false;
  private interfaces: Interface[] = [];
  private failure: CaptureFormatError | null = null;
  private lastT = 0;

  /** `onPacket` gets views of the fed bytes, valid during the call only: copy what is kept. */
  constructor(private readonly onPacket: (packet: CapturedPacket) => void) {}

  /** Bytes consumed as whole records so far. */
  get offset(): number {
    return this.base;
  }

  get detectedFormat(): CaptureFormat | null {
    return this.format;
  }

  feed(chunk: Uint8Array): void {
    if (this.failure) throw this.failure;
    if (chunk.length === 0) return;
    if (this.pending.length === 0) this.pending = chunk;
    else {
      const joined = new Uint8Array(this.pending.length + chunk.length);
      joined.set(this.pending);
      joined.set(chunk, this.pending.length);
      this.pending = joined;
    }
    let used = 0;
    try {
      for (;;) {
        const n = this.step(this.pending, used);
        if (n === 0) break;
        used += n;
      }
    } finally {
      // Keep the partial record only, as a private copy (the caller may reuse its chunk;
      // `new Uint8Array` copies where a Node Buffer's `slice` would not).
      this.base += used;
      this.pending = new Uint8Array(this.pending.subarray(used));
    }
  }

  /** The file has ended: how many trailing bytes were a record cut short (0 when the file ended cleanly). */
  finish(): number {
    if (this.failure) throw this.failure;
    if (this.format === null && this.pending.length === 0) throw this.fail('empty file: not a pcap or pcapng capture');
    return this.pending.length;
  }

  /** Consumes one record at `at` in `buf`; 0 when more bytes are needed. */
  private step(buf: Uint8Array, at: number): number {
    const left = buf.length - at;
    if (this.format === null) {
      if (left < 4) return 0;
      const format = captureFormatOf(buf.subarray(at, at + 4));
      if (!format) throw this.fail('not a pcap or pcapng capture (unknown magic number)');
      this.format = format;
    }
    const view = new DataView(buf.buffer, buf.byteOffset + at, left);
    return this.format === 'pcap' ? this.pcapRecord(buf, at, view) : this.pcapngBlock(buf, at, view);
  }

  private pcapRecord(buf: Uint8Array, at: number, view: DataView): number {
    if (this.base + at === 0) {
      if (view.byteLength < 24) return 0;
      const magicLe = view.getUint32(0, true);
      this.little = magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS;
      const magic = view.getUint32(0, this.little);
      this.pcapNanos = magic === PCAP_MAGIC_NS;
      this.pcapLinkType = view.getUint32(20, this.little) & 0xffff;
      return 24;
    }
    if (view.byteLength < 16) return 0;
    const included = view.getUint32(8, this.little);
    if (included > MAX_RECORD_BYTES) throw this.fail(`a packet record of ${included} bytes (more than ${MAX_RECORD_BYTES})`, at);
    if (view.byteLength < 16 + included) return 0;
    const seconds = view.getUint32(0, this.little);
    const fraction = view.getUint32(4, this.little);
    this.lastT = seconds * 1000 + fraction / (this.pcapNanos ? 1e6 : 1e3);
    this.onPacket({
      t: this.lastT,
      linkType: this.pcapLinkType,
      data: buf.subarray(at + 16, at + 16 + included),
      originalLength: view.getUint32(12, this.little),
    });
    return 16 + included;
  }

  private pcapngBlock(buf: Uint8Array, at: number, view: DataView): number {
    if (view.byteLength < 12) return 0;
    const type = view.getUint32(0, this.little);
    if (type === PCAPNG_SHB || view.getUint32(0, false) === PCAPNG_SHB) {
      // A new section may switch the byte order.
      const magic = view.getUint32(8, true);
      if (magic === PCAPNG_BYTE_ORDER_MAGIC) this.little = true;
      else if (view.getUint32(8, false) === PCAPNG_BYTE_ORDER_MAGIC) this.little = false;
      else throw this.fail('pcapng section header with a bad byte-order magic', at);
    }
    const total = view.getUint32(4, this.little);
    if (total < 12 || total % 4 !== 0) throw this.fail(`pcapng block of bad length ${total}`, at);
    if (total > MAX_RECORD_BYTES) throw this.fail(`a pcapng block of ${total} bytes (more than ${MAX_RECORD_BYTES})`, at);
    if (view.byteLength < total) return 0;
    if (view.getUint32(total - 4, this.little) !== total) throw this.fail('pcapng block whose trailing length differs from its leading one', at);
    const body = new DataView(buf.buffer, buf.byteOffset + at + 8, total - 12);
    if (type === PCAPNG_SHB || view.getUint32(0, false) === PCAPNG_SHB) this.interfaces = [];
    else if (type === PCAPNG_IDB) this.interfaces.push(this.interfaceOf(body));
    else if (type === PCAPNG_EPB) this.enhancedPacket(buf, at + 8, body);
    else if (type === PCAPNG_SPB) this.simplePacket(buf, at + 8, body);
    return total;
  }

  private interfaceOf(body: DataView): Interface {
    let unitsPerSecond = 1e6;
    // Options: code u16, length u16, value padded to 4; code 0 ends them.
    for (let o = 8; o + 4 <= body.byteLength; ) {
      const code = body.getUint16(o, this.little);
      const length = body.getUint16(o + 2, this.little);
      if (code === 0) break;
      if (code === OPT_IF_TSRESOL && length >= 1 && o + 5 <= body.byteLength) {
        const r = body.getUint8(o + 4);
        unitsPerSecond = r & 0x80 ? 2 ** (r & 0x7f) : 10 ** r;
      }
      o += 4 + length + ((4 - (length % 4)) % 4);
    }
    return { linkType: body.getUint16(0, this.little), unitsPerSecond };
  }

  private enhancedPacket(buf: Uint8Array, bodyAt: number, body: DataView): void {
    if (body.byteLength < 20) throw this.fail('pcapng enhanced packet block too short', bodyAt - 8);
    const iface = this.interfaces[body.getUint32(0, this.little)];
    if (!iface) throw this.fail('pcapng packet on an interface never described', bodyAt - 8);
    const captured = body.getUint32(12, this.little);
    if (20 + captured > body.byteLength) throw this.fail('pcapng packet longer than its block', bodyAt - 8);
    const units = body.getUint32(4, this.little) * 2 ** 32 + body.getUint32(8, this.little);
    this.lastT = (units / iface.unitsPerSecond) * 1000;
    this.onPacket({
      t: this.lastT,
      linkType: iface.linkType,
      data: buf.subarray(bodyAt + 20, bodyAt + 20 + captured),
      originalLength: body.getUint32(16, this.little),
    });
  }

  private simplePacket(buf: Uint8Array, bodyAt: number, body: DataView): void {
    const iface = this.interfaces[0];
    if (!iface) throw this.fail('pcapng packet on an interface never described', bodyAt - 8);
    const original = body.getUint32(0, this.little);
    const captured = Math.min(original, body.byteLength - 4);
    // A simple packet block has no timestamp: it is placed at the packet before it.
    this.onPacket({ t: this.lastT, linkType: iface.linkType, data: buf.subarray(bodyAt + 4, bodyAt + 4 + captured), originalLength: original });
  }

  private fail(message: string, at = 0): CaptureFormatError {
    this.failure = new CaptureFormatError(message, this.base + at);
    return this.failure;
  }
}
