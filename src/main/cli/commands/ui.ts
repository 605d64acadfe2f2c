/** `hpss ui`: the app's UI in a browser, served by the browser shell on loopback. */
import { join } from 'node:path';
import { startBrowserShell } from '../../app/browser-shell';
import { Engine } from '../../engine/engine';
import { realBackends } from '../../engine/real-backends';
import type { CliCommand } from './command';

const USAGE = 'ui [--listen 127.0.0.1:PORT]';

function parse(argv: string[]): { listen: string } | string {
  let listen = '127.0.0.1:0';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--listen' && argv[i + 1] !== undefined) listen = argv[++i];
    else if (a.startsWith('--listen=')) listen = a.slice('--listen='.length);
    else return `hpss ui: unexpected argument '${a}'\nusage: hpss ${USAGE}\n`;
  }
  return { listen };
}

export const uiCommand: CliCommand = {
  name: 'ui',
  usage: USAGE,
  summary: 'serve the app in a browser on loopback (URL with a per-launch token)',
  async run(argv) {
    const opts = parse(argv);
    if (typeof opts === 'string') {
      process.stderr.write(opts);
      return 2;
    }
    const engine = new Engine(realBackends);
    // out/main/hpss.js → out/renderer
    const shell = await startBrowserShell({ engine, listen: opts.listen, rendererDir: join(__dirname, '..', 'renderer') });
    process.stdout.write(`HPSS Inspector UI: ${shell.url}\n`);
    return new Promise<number>((resolve) => {
      const stop = () => {
        void Promise.allSettled([engine.shutdown(), shell.stop()]).then(() => resolve(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  },
};
