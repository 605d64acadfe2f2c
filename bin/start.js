#!/usr/bin/env node
// `npm start`: builds when the build is missing or older than the sources, then starts
// the Electron app; where it cannot (the runtime not installed, no display), says why in
// one line and starts the same UI in the browser (`hpss ui`).
const { spawn, spawnSync } = require('node:child_process');
const { existsSync, readFileSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const outputs = ['out/main/index.js', 'out/main/hpss.js', 'out/preload/index.js', 'out/renderer/index.html'].map((p) => join(root, p));

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function needsBuild() {
  if (!outputs.every(existsSync)) return true;
  const built = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  return existsSync(join(root, 'src')) && newestMtime(join(root, 'src')) > built;
}

/**
 * The Electron binary, or why there is none, in the user's terms. Not `require('electron')`:
 * that downloads a missing runtime. The package's install script writes `path.txt` once it
 * has fetched the runtime into `dist/`.
 */
function electronBinary() {
  const pkg = join(root, 'node_modules', 'electron');
  if (!existsSync(join(pkg, 'package.json'))) return { reason: 'the electron package is not installed (run `npm ci`)' };
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) {
    const skipped = process.env.ELECTRON_SKIP_BINARY_DOWNLOAD
      ? 'ELECTRON_SKIP_BINARY_DOWNLOAD is set in this environment, so its download was skipped'
      : 'its install script did not run or failed (e.g. `npm ci --ignore-scripts`, ELECTRON_SKIP_BINARY_DOWNLOAD=1 at install, or no network then)';
    return { reason: `the Electron runtime was never downloaded: ${skipped}; \`node node_modules/electron/install.js\` fetches it` };
  }
  const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return { reason: `node_modules/electron/path.txt names ${binary}, which is missing (a partial install: run \`node node_modules/electron/install.js\`)` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return { reason: 'no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set)' };
  return { binary };
}

function openInBrowser(url) {
  const opener = spawnSync('sh', ['-c', 'command -v xdg-open'], { encoding: 'utf8' }).stdout.trim();
  if (opener && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY)) {
    spawn(opener, [url], { stdio: 'ignore', detached: true }).unref();
    process.stdout.write(`Opened ${url} in your browser.\n`);
  } else {
    process.stdout.write(`Open ${url} in your browser.\n`);
  }
}

function startBrowserShell() {
  const child = spawn(process.execPath, [join(root, 'bin', 'hpss.js'), 'ui', ...process.argv.slice(2)], { stdio: ['inherit', 'pipe', 'inherit'] });
  let opened = false;
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    const m = !opened && /(http:\/\/\S+\?token=\S+)/.exec(String(chunk));
    if (m) {
      opened = true;
      openInBrowser(m[1]);
    }
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}

if (needsBuild()) {
  process.stdout.write('Building…\n');
  const r = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write('The build failed (see above); fix it or run `npm ci` and try again.\n');
    process.exit(r.status ?? 1);
  }
}

const electron = electronBinary();
if (electron.binary) {
  const child = spawn(electron.binary, [root], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  process.stdout.write(`Not starting the Electron app: ${electron.reason}. Starting the same UI in your browser instead.\n`);
  startBrowserShell();
}
