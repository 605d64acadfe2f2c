/** The top bar: connection state, the app client's VFS refusal, traces, theme. */
import { call } from '../api/api';
import { faultChips } from '../../../shared/policies';
import { dispatch, useApp } from '../store/store';
import type { ThemeChoice } from '../store/types';
import { Badge, Switch } from './controls';
import { TraceControls } from './TraceControls';

const NEXT_THEME: Record<ThemeChoice, ThemeChoice> = { system: 'light', light: 'dark', dark: 'system' };
const THEME_LABEL: Record<ThemeChoice, string> = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' };

export function Header() {
  const connection = useApp((s) => s.ui.connection);
  const refuse = useApp((s) => s.ui.clientRefuseVfs);
  const theme = useApp((s) => s.ui.theme);
  const faulty = useApp((s) => s.owners.list.filter((o) => faultChips(o.policy).length > 0).map((o) => o.ownerId).join(', '));
  const failing = useApp((s) => Object.values(s.owners.trouble).filter((t) => t.level === 'bad').length);
  const setRefuse = async (enabled: boolean) => {
    const r = await call('Switching VFS refusal for the app client', 'ui:client:refuse-vfs', { enabled });
    if (r) dispatch({ type: 'client-refuse-vfs', enabled: r.enabled });
  };
  return (
    <header className="topbar">
      <div className="brand">
        <img className="logo" src="./icon.svg" alt="" width={22} height={22} />
        <h1>HPSS Inspector</h1>
        <Badge tone={connection === 'live' ? 'ok' : connection === 'lost' ? 'bad' : 'muted'} title="Connection to the engine">
          {connection === 'live' ? 'live' : connection === 'lost' ? 'engine unreachable' : 'connecting…'}
        </Badge>
        {faulty && (
          <Badge tone="warn" title={`Faults or limits are applied on ${faulty}: traffic through them is changed on purpose`}>
            faults on {faulty}
          </Badge>
        )}
        {failing > 0 && (
          <Badge tone="bad" title="A proxy's upstream is failing: see its card">
            {failing === 1 ? 'an upstream is failing' : `${failing} upstreams failing`}
          </Badge>
        )}
      </div>
      <div className="topbar-actions">
        <Switch label="App client refuses VFS" checked={refuse} onChange={(v) => void setRefuse(v)} testId="client-refuse-vfs" />
        <TraceControls />
        <button className="btn btn-plain" onClick={() => dispatch({ type: 'theme', theme: NEXT_THEME[theme] })} aria-label={`${THEME_LABEL[theme]} (switch)`}>
          {THEME_LABEL[theme]}
        </button>
      </div>
    </header>
  );
}
