/**
 * A minimal RFC 6455 WebSocket server endpoint for the browser shell: the server
 * sends text frames (event batches); from the client it accepts only control frames
 * and small text frames, which it ignores. Enough for one-way streaming without a
 * dependency. Client frames must be masked (§5.1); oversize or fragmented frames close
 * the connection with 1009/1003; reserved bits, unknown opcodes and control frames
 * over 125 bytes (§5.5) with 1002. Pongs are not queued behind a client that does not
 * read: past a small backlog a ping goes unanswered (§5.5.3 lets a pong answer only
 * the latest ping), so a ping flood costs no memory.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;
const FIN = 0x80;
const MASKED = 0x80;
const RESERVED_BITS = 0x70;
/** §5.5: control frames carry at most 125 bytes and are never fragmented. */
const MAX_CONTROL_PAYLOAD = 125;
/** Past this many unsent bytes to the client, pings are left unanswered. */
export const MAX_PONG_BACKLOG = 64 * 1024;
const KNOWN_OPCODES = new Set([OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG]);
/** Largest frame we accept from a client; it has nothing big to say. */
const MAX_CLIENT_PAYLOAD = 64 * 1024;
/** A client this far behind is dropped rather than buffered without bound. */
const MAX_BUFFERED = 64 * 1024 * 1024;

/** Frame header + payload for a server → client frame (never masked). */
export function encodeFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  let header: Buffer;
  if (len < 126) {
    header = Buffer.from([FIN | opcode, len]);
  } else if (len < 65536) {
    header = Buffer.alloc(4);
    header[0] = FIN | opcode;
    header[1] = 126;
    header.writeUInt16BE(len, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = FIN | opcode;
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([header, payload]);
}

export class WebSocketConnection {
  private pending: Buffer = Buffer.alloc(0);
  /**
   * Chunks that arrived after `pending` while a frame is incomplete, joined only once
   * `need` bytes are there: a frame trickling in byte by byte is copied once, not once
   * per byte (which would be quadratic in its size).
   */
  private later: Buffer[] = [];
  private laterBytes = 0;
  private need = 2;
  private closed = false;
  onClose: (() => void) | null = null;

  constructor(private readonly socket: Duplex) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => this.finish());
    socket.on('error', () => this.finish());
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  sendText(text: string): void {
    if (this.closed) return;
    if (this.socket.writableLength > MAX_BUFFERED) {
      this.close(1008, 'client too slow');
      return;
    }
    this.socket.write(encodeFrame(OP_TEXT, Buffer.from(text, 'utf8')));
  }

  close(code = 1000, reason = ''): void {
    if (this.closed) return;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.socket.end(encodeFrame(OP_CLOSE, payload));
    this.finish();
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose?.();
  }

  /** Parses as many complete client frames as the buffered bytes hold. */
  private receive(chunk: Buffer): void {
    this.later.push(chunk);
    this.laterBytes += chunk.length;
    if (this.pending.length + this.laterBytes < this.need) return;
    this.pending = Buffer.concat([this.pending, ...this.later]);
    this.later = [];
    this.laterBytes = 0;
    this.need = 2;
    while (!this.closed && this.pending.length >= 2) {
      const b0 = this.pending[0];
      const b1 = this.pending[1];
      const opcode = b0 & 0x0f;
      if (!(b1 & MASKED)) return this.close(1002, 'client frames must be masked');
      if (b0 & RESERVED_BITS) return this.close(1002, 'reserved bits set');
      if (!(b0 & FIN)) return this.close(1003, 'fragmented frames are not accepted');
      if (!KNOWN_OPCODES.has(opcode)) return this.close(1002, 'unknown opcode');
      let len = b1 & 0x7f;
      let offset = 2;
      if (len === 126) {
        if (this.pending.length < 4) return void (this.need = 4);
        len = this.pending.readUInt16BE(2);
        offset = 4;
      } else if (len === 127) {
        return this.close(1009, 'frame too large');
      }
      if (opcode >= OP_CLOSE && len > MAX_CONTROL_PAYLOAD) return this.close(1002, 'control frame too large');
      if (len > MAX_CLIENT_PAYLOAD) return this.close(1009, 'frame too large');
      if (this.pending.length < offset + 4 + len) return void (this.need = offset + 4 + len);
      const mask = this.pending.subarray(offset, offset + 4);
      const payload = Buffer.from(this.pending.subarray(offset + 4, offset + 4 + len));
      for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
      this.pending = this.pending.subarray(offset + 4 + len);
      if (opcode === OP_CLOSE) return this.close(1000);
      if (opcode === OP_PING && this.socket.writableLength < MAX_PONG_BACKLOG) this.socket.write(encodeFrame(OP_PONG, payload));
    }
  }
}

/** Completes the opening handshake (§4.2.2); answers null (and a 400) when it is not one. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex): WebSocketConnection | null {
  const key = req.headers['sec-websocket-key'];
  const upgrade = req.headers.upgrade;
  if (typeof key !== 'string' || typeof upgrade !== 'string' || upgrade.toLowerCase() !== 'websocket' || req.headers['sec-websocket-version'] !== '13') {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    return null;
  }
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  socket.write(['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Accept: ${accept}`, '', ''].join('\r\n'));
  return new WebSocketConnection(socket);
}
