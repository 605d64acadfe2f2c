/**
 * Decodes the client→server direction. Each request's version comes from its first line,
 * as a Breezy server decides it (`_get_protocol_factory_for_bytes`): the v3 marker, the v2
 * request marker, or else the line is a v1 request's arguments.
 */
import { StreamDecoder } from './stream-decoder';
import { MESSAGE_VERSION_THREE, REQUEST_VERSION_TWO } from './markers';
import { V3_HEADERS_LENGTH } from './protocol-three-decoder';
import { acceptArgsLine, V12_ARGS } from './protocol-two-decoder';

const V3_LINE = MESSAGE_VERSION_THREE.subarray(0, MESSAGE_VERSION_THREE.length - 1);
const V2_LINE = REQUEST_VERSION_TWO.subarray(0, REQUEST_VERSION_TWO.length - 1);

export class RequestStreamDecoder extends StreamDecoder {
  protected startMessage(): boolean {
    const input = this.input;
    const at = input.itemOffset;
    if (input.skipIfNext(MESSAGE_VERSION_THREE)) {
      this.msg.begin('request', 3, at);
      this.state = V3_HEADERS_LENGTH;
      return true;
    }
    if (!input.readLine(this.limit, 'request line')) return false;
    if (input.gotEquals(V3_LINE)) {
      this.msg.begin('request', 3, at);
      this.state = V3_HEADERS_LENGTH;
    } else if (input.gotEquals(V2_LINE)) {
      this.msg.begin('request', 2, at);
      this.state = V12_ARGS;
    } else {
      this.msg.begin('request', 1, at);
      acceptArgsLine(this);
    }
    return true;
  }
}
