/** `hpss ui`: the app's UI in a browser, served by the browser shell on loopback. */
import { join } from 'node:path';
import { startBrowserShell } from '../../app/browser-shell';
import { Engine } from '../../engine/engine';
import { realBackends } from '../../engine/real-backends';
import { optionsCommand } from './command';

export const uiCommand = optionsCommand({
  name: 'ui',
  usage: 'ui [--listen 127.0.0.1:PORT]',
  summary: 'serve the app in a browser on loopback (URL with a per-launch token)',
  options: { listen: { type: 'string', default: '127.0.0.1:0' } },
  async run(parsed, usageMistake) {
    if (parsed.positionals.length > 0) return usageMistake(`unexpected argument '${parsed.positionals[0]}'`);
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
});
