/**
 * An SSH exec channel as the one stream a PipeServerMedium reads and writes. Ending
 * it sends exit status 0 and then EOF, as a `bzr serve --inet` process that exits
 * does: without a status, OpenSSH's client exits 255. (ssh2 accepts `exit()` only
 * before the channel's own `end()`, hence the wrapper rather than the bare channel.)
 */
import { Duplex } from 'node:stream';
import type { ServerChannel } from 'ssh2';

export function execSessionStream(channel: ServerChannel): Duplex {
  const stream = new Duplex({
    read() {
      channel.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      if (channel.write(chunk)) return callback();
      const go = (): void => {
        channel.off('drain', go);
        channel.off('close', go);
        callback();
      };
      channel.on('drain', go);
      channel.on('close', go);
    },
    final(callback) {
      if (channel.writable) {
        channel.exit(0);
        channel.end();
      }
      callback();
    },
    destroy(err, callback) {
      channel.destroy();
      callback(err);
    },
  });
  channel.on('data', (data: Buffer) => {
    if (!stream.push(data)) channel.pause();
  });
  channel.on('end', () => stream.push(null));
  channel.on('close', () => stream.destroy());
  channel.on('error', (err: Error) => stream.destroy(err));
  return stream;
}
