/**
 * Reading rio, Breezy's stanza format (breezy/rio.py): `key: value` lines, a value's further
 * lines each starting with a tab, stanzas separated by an empty line.
 */

export function readRioStanzas(text: string): Map<string, string>[] {
  const stanzas: Map<string, string>[] = [];
  let stanza = new Map<string, string>();
  let lastKey: string | null = null;
  for (const line of text.split('\n')) {
    if (line === '') {
      if (stanza.size > 0) stanzas.push(stanza);
      stanza = new Map();
      lastKey = null;
    } else if (line.startsWith('\t') && lastKey !== null) {
      stanza.set(lastKey, `${stanza.get(lastKey)}\n${line.slice(1)}`);
    } else {
      const colon = line.indexOf(': ');
      if (colon < 0) continue;
      lastKey = line.slice(0, colon);
      stanza.set(lastKey, line.slice(colon + 2));
    }
  }
  if (stanza.size > 0) stanzas.push(stanza);
  return stanzas;
}
