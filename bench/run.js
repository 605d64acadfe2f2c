/**
 * `npm run bench`: runs every benchmark script below in turn (append yours to the list).
 * Extra arguments (e.g. --quick) are passed to each.
 */
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const BENCHES = ['codec.js', 'proxy.js', 'ui.js', 'hello.js', 'builtin-get.js'];

let failed = 0;
for (const script of BENCHES) {
  const res = spawnSync(process.execPath, [join(__dirname, script), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (res.status !== 0) {
    console.error(`bench: ${script} failed (status ${res.status})`);
    failed++;
  }
}
process.exitCode = failed ? 1 : 0;
