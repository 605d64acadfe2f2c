import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { savedTheme } from './lib/theme';
import { dispatch } from './store/store';
import './styles.css';

// Before the first render, so a dark theme never flashes light.
dispatch({ type: 'theme', theme: savedTheme() });
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
