/** Reads a trace file from disk; the format and its parser are `src/shared/trace-format.ts`. */
import { readFileSync } from 'node:fs';
import { parseTrace, TraceFormatError, type TraceContents } from '../../shared/trace-format';

export { parseTrace, TraceFormatError, type TraceContents } from '../../shared/trace-format';

export function readTrace(file: string): TraceContents {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new TraceFormatError(file, 0, `cannot read: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseTrace(text, file);
}
