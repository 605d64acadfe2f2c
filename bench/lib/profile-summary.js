/**
 * Where a `node --cpu-prof` profile's time went: self time by function (top N) and by
 * category (our source, node internals, GC, idle, native). Usage:
 *   node bench/lib/profile-summary.js FILE.cpuprofile [N]
 */
const { readFileSync } = require('node:fs');

function summarise(profile, top) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map();
  const cats = new Map();
  for (const [id, us] of self) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const file = url.replace(/^.*\/(node_modules\/\.cache\/hpss-bench\/)?/, '');
    const key = `${functionName || '(anonymous)'} ${file}${url ? `:${lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const cat = functionName === '(idle)' ? 'idle' : functionName === '(garbage collector)' ? 'GC'
      : url.startsWith('node:') ? 'node internals' : url ? 'our code (bundle)' : 'native / V8';
    cats.set(cat, (cats.get(cat) ?? 0) + us);
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1)}%`.padStart(6);
  const lines = [`total ${(total / 1e6).toFixed(2)} s sampled`];
  for (const [cat, us] of [...cats].sort((a, b) => b[1] - a[1])) lines.push(`${pct(us)}  ${cat}`);
  lines.push('');
  for (const [key, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`${pct(us)}  ${key}`);
  return lines.join('\n');
}

if (require.main === module) {
  const [file, n] = process.argv.slice(2);
  console.log(summarise(JSON.parse(readFileSync(file, 'utf8')), Number(n ?? 20)));
}

module.exports = { summarise };
