#!/usr/bin/env node
// `npm start`: builds when the build is missing or older than the sources, then starts
// the Electron app; where the Electron runtime is not installed, says so in one line
// and starts the same UI in the browser (`hpss ui`).
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

/** The Electron binary when installed. Not `require('electron')`: that downloads a missing runtime. */
function electronBinary() {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? binary : null;
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
if (electron) {
  const child = spawn(electron, [root], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  process.stdout.write('The Electron runtime is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD?); starting the UI in your browser instead.\n');
  startBrowserShell();
}
