// The console's scripts: progressive enhancement of server-rendered pages.
import { bindForms } from './forms.js';
import { refreshPart, startLive } from './live.js';

async function enhance(root) {
  bindForms(root, refreshPart);
  if (root.querySelector('[data-waveform]')) (await import('./waveform.js')).mountWaveforms(root);
  if (root.querySelector('[data-chart]')) (await import('./charts.js')).mountCharts(root);
}

await enhance(document);
startLive(enhance);
document.documentElement.dataset.ready = 'true';
