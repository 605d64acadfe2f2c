/**
 * Decodes the client→server direction. Each request's version comes from its first line,
 * as a Breezy server decides it (`_get_protocol_factory_for_bytes`; `detectRequestVersion`
 * is the same rule on a prefix): the v3 marker, the v2 request marker, or else the line is
 * a v1 request's arguments.
 */
import { StreamDecoder } from './stream-decoder';
import { MESSAGE_VERSION_THREE, MESSAGE_VERSION_THREE_LINE, REQUEST_VERSION_TWO_LINE } from './markers';
import { V3_HEADERS_LENGTH } from './protocol-three-decoder';
import { acceptArgsLine, V12_ARGS } from './protocol-two-decoder';

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
    if (input.gotEquals(MESSAGE_VERSION_THREE_LINE)) {
      this.msg.begin('request', 3, at);
      this.state = V3_HEADERS_LENGTH;
    } else if (input.gotEquals(REQUEST_VERSION_TWO_LINE)) {
      this.msg.begin('request', 2, at);
      this.state = V12_ARGS;
    } else {
      this.msg.begin('request', 1, at);
      acceptArgsLine(this);
    }
    return true;
  }
}
