/** The window: top bar, tools on the left, charts and connections on top, calls and detail below. */
import { useEffect } from 'react';
import { startLive } from './lib/live';
import { saveTheme } from './lib/theme';
import { useApp } from './store/store';
import { CallDetail } from './views/CallDetail';
import { CallList } from './views/CallList';
import { Charts } from './views/Charts';
import { Header } from './views/Header';
import { MediumsTable } from './views/MediumsTable';
import { Notices } from './views/Notices';
import { Sidebar } from './views/Sidebar';
import { TraceBanner } from './views/TraceControls';

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

export function App() {
  useTheme();
  useEffect(() => startLive(), []);
  return (
    <div className="app">
      <Header />
      <Notices />
      <ConnectionBanner />
      <TraceBanner />
      <div className="layout">
        <Sidebar />
        <main className="main">
          <section className="overview" aria-label="Overview">
            <Charts />
            <MediumsTable />
          </section>
          <section className="calls" aria-label="Calls">
            <CallList />
            <CallDetail />
          </section>
        </main>
      </div>
    </div>
  );
}
