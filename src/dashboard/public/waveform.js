// The stereo recording as two lanes (caller, assistant) bound to the page's <audio> player.
import WaveSurfer from './vendor/wavesurfer.esm.js';

const LANES = [
  { waveColor: '#3b6fd8', progressColor: '#1c3f8f' }, // left: the caller
  { waveColor: '#0f8a66', progressColor: '#065540' }, // right: the assistant
];

export function mountWaveforms(root) {
  for (const el of root.querySelectorAll('[data-waveform]')) {
    if (el.dataset.mounted) continue;
    el.dataset.mounted = 'true';
    const media = el.closest('figure')?.querySelector('audio') ?? undefined;
    const ws = WaveSurfer.create({
      container: el, media, url: el.dataset.waveform, height: 56, normalize: true, cursorColor: '#1f2937', cursorWidth: 2,
      splitChannels: LANES.map((l) => ({ ...l, height: 56 })), barWidth: 2, barGap: 1, barRadius: 1, dragToSeek: true,
    });
    ws.on('ready', () => { el.dataset.ready = 'true'; });
    ws.on('error', (err) => { el.dataset.error = String(err?.message ?? err); });
  }
}
