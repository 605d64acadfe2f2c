/** The left column: tabs for servers and proxies, the probe, and single calls. */
import { useState } from 'react';
import { CallForm } from './CallForm';
import { Section } from './controls';
import { OwnersList, SetupActions } from './OwnersList';
import { ProxyForm, ServerForm } from './OwnerForms';
import { ProbePanel } from './ProbePanel';

const TABS = [
  { id: 'owners', label: 'Serve & proxy' },
  { id: 'probe', label: 'Probe' },
  { id: 'call', label: 'Call' },
] as const;
type TabId = (typeof TABS)[number]['id'];

export function Sidebar() {
  const [tab, setTab] = useState<TabId>('owners');
  return (
    <aside className="sidebar">
      <div className="tabs" role="tablist" aria-label="Tools">
        {TABS.map((t) => (
          <button key={t.id} role="tab" id={`tab-${t.id}`} aria-selected={tab === t.id} aria-controls={`panel-${t.id}`} className={tab === t.id ? 'on' : ''} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div className="sidebar-body" role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'owners' && (
          <>
            <Section title="Running" actions={<SetupActions />}>
              <OwnersList />
            </Section>
            <Section title="Start a proxy">
              <ProxyForm />
            </Section>
            <Section title="Start a server">
              <ServerForm />
            </Section>
          </>
        )}
        {tab === 'probe' && (
          <Section title="Probe a URL">
            <ProbePanel />
          </Section>
        )}
        {tab === 'call' && (
          <Section title="Send one call">
            <CallForm />
          </Section>
        )}
      </div>
    </aside>
  );
}
