#!/usr/bin/env node
// The headless engine. Built by `npm run build` into out/main/hpss.js.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const built = join(__dirname, '..', 'out', 'main', 'hpss.js');
if (!existsSync(built)) {
  process.stderr.write('hpss: not built yet; run `npm run build` in ' + join(__dirname, '..') + '\n');
  process.exit(2);
}
require(built);
