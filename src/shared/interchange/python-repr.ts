/**
 * Reads the Python `repr()` of the values brz logs with -Dhpss: bytes (`b'…'`), str
 * (`'…'`), ints, True/False/None, tuples and lists, with Python's escapes. Bytes become
 * Uint8Array; the rest plain JavaScript values.
 */

export type PyValue = Uint8Array | string | number | boolean | null | PyValue[];

export class PyReprError extends Error {}

const ESCAPES: Record<string, number> = { n: 10, r: 13, t: 9, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11, '0': 0 };

/** Parses `text` as a comma-separated sequence of values (a tuple's inside), e.g. `b'get', b'/x'`. */
export function parsePyValues(text: string): PyValue[] {
  const p = new Parser(text);
  const values = p.sequence('');
  p.skipSpace();
  if (!p.atEnd()) throw new PyReprError(`unexpected ${JSON.stringify(text.slice(p.at, p.at + 10))} at ${p.at}`);
  return values;
}

class Parser {
  at = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.at >= this.s.length;
  }

  skipSpace(): void {
    while (this.s[this.at] === ' ') this.at++;
  }

  /** Values separated by commas, up to `close` (or the end when ''); a trailing comma is allowed. */
  sequence(close: string): PyValue[] {
    const out: PyValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.atEnd() || (close && this.s[this.at] === close)) return out;
      out.push(this.value());
      this.skipSpace();
      if (this.s[this.at] === ',') this.at++;
      else return out;
    }
  }

  value(): PyValue {
    const c = this.s[this.at];
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      this.at++;
      const items = this.sequence(close);
      if (this.s[this.at] !== close) throw new PyReprError(`expected ${close} at ${this.at}`);
      this.at++;
      return items;
    }
    if (c === 'b' && (this.s[this.at + 1] === "'" || this.s[this.at + 1] === '"')) {
      this.at++;
      return Uint8Array.from(this.quoted(true));
    }
    if (c === "'" || c === '"') return String.fromCodePoint(...this.quoted(false));
    const word = /^(-?\d+|True|False|None)/.exec(this.s.slice(this.at));
    if (!word) throw new PyReprError(`cannot read a value at ${this.at}: ${JSON.stringify(this.s.slice(this.at, this.at + 10))}`);
    this.at += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0]);
  }

  /** A quoted literal's code units (bytes for b'…', code points for str). */
  private quoted(bytes: boolean): number[] {
    const quote = this.s[this.at++];
    const out: number[] = [];
    for (;;) {
      if (this.atEnd()) throw new PyReprError('unterminated string');
      const c = this.s[this.at++];
      if (c === quote) return out;
      if (c !== '\\') {
        const cp = c.codePointAt(0) as number;
        if (cp > 0xffff) this.at++;
        if (bytes) out.push(...new TextEncoder().encode(String.fromCodePoint(cp)));
        else out.push(cp);
        continue;
      }
      const e = this.s[this.at++];
      if (e in ESCAPES) out.push(ESCAPES[e]);
      else if (e === 'x' || (!bytes && (e === 'u' || e === 'U'))) {
        const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
        const hex = this.s.slice(this.at, this.at + n);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) throw new PyReprError(`bad \\${e} escape at ${this.at}`);
        out.push(parseInt(hex, 16));
        this.at += n;
      } else throw new PyReprError(`unknown escape \\${e} at ${this.at - 1}`);
    }
  }
}
