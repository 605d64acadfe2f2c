/** `hpss ui`: the app's UI in a browser, served by the browser shell on loopback. */
import { join } from 'node:path';
import { startBrowserShell } from '../../app/browser-shell';
import { Engine } from '../../engine/engine';
import { realBackends } from '../../engine/real-backends';
import { parseCommandArgs, usageFailure } from '../args';
import type { CliCommand } from './command';

const USAGE = 'ui [--listen 127.0.0.1:PORT]';


export const uiCommand: CliCommand = {
  name: 'ui',
  usage: USAGE,
  summary: 'serve the app in a browser on loopback (URL with a per-launch token)',
  async run(argv) {
    const parsed = parseCommandArgs('ui', USAGE, argv, { listen: { type: 'string', default: '127.0.0.1:0' } });
    if (!parsed) return 2;
    if (parsed.positionals.length > 0) return usageFailure('ui', USAGE, `unexpected argument '${parsed.positionals[0]}'`);
    const engine = new Engine(realBackends);
    // out/main/hpss.js → out/renderer
    const shell = await startBrowserShell({ engine, listen: parsed.values.listen, rendererDir: join(__dirname, '..', 'renderer') });
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
