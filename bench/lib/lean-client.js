/**
 * The one client every server bench uses against every server: a raw socket, requests encoded
 * once by our v3 encoder, responses decoded by our sans-I/O decoder (body bytes counted as
 * views, never copied). The same client for each server, so what differs is the server.
 */
const net = require('node:net');
const { bundle, portOf } = require('./report');

let lib = null;
/** Our encoder and decoder, bundled from the TypeScript source. */
function protocol() {
  lib ??= require(bundle('lean-client', "export { ResponseStreamDecoder, encodeRequest, utf8Bytes } from './src/shared/protocol';"));
  return lib;
}

/** The v3 bytes of one request (verb first), optionally with a body. */
function request(args, body) {
  const p = protocol();
  return p.encodeRequest({ protocol: 3, args: args.map((a) => p.utf8Bytes(a)), ...(body ? { body: p.utf8Bytes(body) } : {}) });
}

class LeanConnection {
  constructor(socket) {
    this.socket = socket;
    this.waiting = [];
    this.bodyBytes = 0;
    this.status = null;
    this.decoder = new (protocol().ResponseStreamDecoder)((e) => {
      if (e.type === 'body-data') this.bodyBytes += e.data.length;
      else if (e.type === 'status') this.status = e.status;
      else if (e.type === 'message-end') {
        const done = this.waiting.shift();
        const result = { status: this.status, bodyBytes: this.bodyBytes };
        this.bodyBytes = 0;
        done(result);
      }
    });
    socket.on('data', (d) => this.decoder.feed(d));
    this.closed = new Promise((resolve) => socket.once('close', resolve));
  }

  /** Connects to a bzr:// URL on loopback. */
  static open(url) {
    return new Promise((resolve, reject) => {
      const socket = net.connect(portOf(url), '127.0.0.1');
      socket.setNoDelay(true);
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        socket.on('error', () => {});
        resolve(new LeanConnection(socket));
      });
    });
  }

  /** Sends one encoded request; resolves with the response's status and body byte count. */
  call(bytes, verb) {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.decoder.expect({ protocol: 3, verb });
      this.socket.write(bytes);
    });
  }

  close() {
    this.socket.end();
    return this.closed;
  }
}

module.exports = { LeanConnection, request };
