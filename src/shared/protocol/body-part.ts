/**
 * A body part's bytes, framed the same way once its length is known in every version
 * (v3 `b` parts, v1/v2 bulk bodies and chunks): handed on as views of the fed chunk,
 * never held.
 */
import type { DecoderCore, DecoderState } from './decoder-state';

/** After a part's start: an empty part ends at once and the decoder moves to `next`, else to `data`. */
export function enterBodyPart(d: DecoderCore, length: number, next: DecoderState, data: DecoderState): void {
  if (length === 0) {
    d.msg.bodyPartEnd();
    d.state = next;
  } else {
    d.state = data;
  }
}

/** Up to `st.remaining` bytes of the part; at its end the part closes and the decoder moves to `next`. */
export function streamBodyBytes(d: DecoderCore, st: { remaining: number }, next: DecoderState): boolean {
  const data = d.input.readUpTo(st.remaining);
  if (data.length === 0) return false;
  st.remaining -= data.length;
  d.msg.bodyData(data);
  if (st.remaining === 0) {
    d.msg.bodyPartEnd();
    d.state = next;
  }
  return true;
}
