import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { takeTokenFromUrl } from './api/client';
import { App } from './app';
import './styles.css';

// Before anything renders: a `?token=` sign-in link is stored for this tab and cleared from the address bar.
takeTokenFromUrl();

const root = document.getElementById('root');
if (root) createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
