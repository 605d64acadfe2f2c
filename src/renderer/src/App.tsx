/**
 * The window: top bar, tools on the left, charts and connections on top, calls below with
 * the selected call's detail beside them (only while a row is selected). The tools and the
 * overview collapse; the detail's width follows its splitter.
 */
import { useEffect, useState } from 'react';
import { startLive } from './lib/live';
import { saveTheme } from './lib/theme';
import { rowByKey } from './store/calls-reducer';
import { useApp } from './store/store';
import { CallDetail } from './views/CallDetail';
import { CallList } from './views/CallList';
import { Charts } from './views/Charts';
import { Header } from './views/Header';
import { MediumsTable } from './views/MediumsTable';
import { Notices } from './views/Notices';
import { Sidebar } from './views/Sidebar';
import { Splitter, usePaneSize } from './views/Splitter';
import { TraceBanner } from './views/TraceControls';
import { VerbStatsTable } from './views/VerbStatsTable';
import { Waterfall } from './views/Waterfall';

function useTheme(): void {
  const theme = useApp((s) => s.ui.theme);
  useEffect(() => {
    if (theme === 'system') document.documentElement.removeAttribute('data-theme');
    else document.documentElement.setAttribute('data-theme', theme);
    saveTheme(theme);
  }, [theme]);
}

function ConnectionBanner() {
  const lost = useApp((s) => s.ui.connection === 'lost');
  if (!lost) return null;
  return (
    <div className="banner banner-bad" role="alert">
      <span className="spinner" aria-hidden="true" /> Lost the connection to the engine; reconnecting… If this lasts, check that <code>hpss ui</code> is
      still running, then reload the page.
    </div>
  );
}

const VIEWS = [
  { id: 'calls', label: 'List' },
  { id: 'stats', label: 'Per-verb stats' },
  { id: 'waterfall', label: 'Waterfall' },
] as const;
type ViewId = (typeof VIEWS)[number]['id'];

function Toggle({ on, label, onClick }: { on: boolean; label: string; onClick: () => void }) {
  return (
    <button className={`pane-toggle${on ? ' on' : ''}`} aria-pressed={on} onClick={onClick}>
      {label}
    </button>
  );
}

export function App() {
  useTheme();
  useEffect(() => startLive(), []);
  const [tools, setTools] = useState(true);
  const [overview, setOverview] = useState(true);
  const [view, setView] = useState<ViewId>('calls');
  const detail = usePaneSize('hpss.detailWidth', 440, 280, 1100);
  const hasDetail = useApp((s) => s.ui.selectedCallId !== null && rowByKey(s.calls, s.ui.selectedCallId) !== undefined);
  return (
    <div className="app">
      <Header />
      <Notices />
      <ConnectionBanner />
      <TraceBanner />
      <div className={`layout${tools ? '' : ' no-tools'}`}>
        {tools && <Sidebar />}
        <main className={`main${overview ? '' : ' no-overview'}`}>
          <div className="pane-bar" role="toolbar" aria-label="Panes">
            <Toggle on={tools} label="Tools" onClick={() => setTools(!tools)} />
            <Toggle on={overview} label="Overview" onClick={() => setOverview(!overview)} />
            <span className="pane-sep" />
            <div className="seg" role="tablist" aria-label="Call views">
              {VIEWS.map((v) => (
                <button key={v.id} role="tab" aria-selected={view === v.id} className={view === v.id ? 'on' : ''} onClick={() => setView(v.id)}>
                  {v.label}
                </button>
              ))}
            </div>
          </div>
          {overview && (
            <section className="overview" aria-label="Overview">
              <Charts />
              <MediumsTable />
            </section>
          )}
          <section className="calls" aria-label="Calls" style={{ gridTemplateColumns: hasDetail ? `minmax(0, 1fr) 6px ${detail.size}px` : 'minmax(0, 1fr)' }}>
            {view === 'calls' ? <CallList /> : view === 'stats' ? <VerbStatsTable /> : <Waterfall />}
            {hasDetail && (
              <>
                <Splitter onPointerDown={detail.onPointerDown} label="Resize the detail pane" />
                <CallDetail />
              </>
            )}
          </section>
        </main>
      </div>
    </div>
  );
}
