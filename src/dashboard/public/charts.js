// Analytics charts (Chart.js, served from node_modules as its UMD build).
const COLORS = ['#3b6fd8', '#0f8a66', '#c2410c', '#7c3aed', '#b91c1c', '#0e7490', '#a16207', '#475569'];

export function mountCharts(root) {
  const Chart = window.Chart;
  const source = document.getElementById('analytics-data');
  if (!Chart || !source) return;
  const { total, days } = JSON.parse(source.textContent);
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#374151';
  Chart.defaults.animation = false;
  const common = { responsive: true, maintainAspectRatio: false, plugins: { legend: { position: 'bottom' } } };
  const make = (id, config) => {
    const canvas = root.querySelector(`canvas[data-chart="${id}"]`);
    if (!canvas || canvas.dataset.mounted) return;
    canvas.dataset.mounted = 'true';
    new Chart(canvas, { ...config, options: { ...common, ...config.options } });
  };
  const labels = days.map((d) => d.day.slice(5));
  make('chart-calls', { type: 'bar', data: { labels, datasets: [
    { label: 'Calls', data: days.map((d) => d.calls), backgroundColor: COLORS[0] },
    { label: 'Completed', data: days.map((d) => d.completed), backgroundColor: COLORS[1] },
  ] }, options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } } });
  make('chart-duration', { type: 'line', data: { labels, datasets: [
    { label: 'Average seconds', data: days.map((d) => d.averageDurationS), borderColor: COLORS[3], backgroundColor: COLORS[3], tension: 0 },
  ] }, options: { scales: { y: { beginAtZero: true } } } });
  const reasons = Object.entries(total.by_end_reason).sort((a, b) => b[1] - a[1]);
  make('chart-end-reasons', { type: 'bar', data: { labels: reasons.map(([r]) => r.replaceAll('_', ' ')), datasets: [
    { label: 'Calls', data: reasons.map(([, n]) => n), backgroundColor: reasons.map((_, i) => COLORS[i % COLORS.length]) },
  ] }, options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } } });
  const stages = [['voice_to_voice', 'Voice to voice'], ['endpointing', 'Endpointing'], ['stt', 'STT'], ['llm_first_token', 'LLM first token'], ['tts_first_audio', 'TTS first audio']];
  make('chart-latency', { type: 'bar', data: { labels: stages.map(([, l]) => l), datasets: ['p50', 'p90', 'p99'].map((p, i) => ({
    label: p, data: stages.map(([k]) => total.latency[k]?.[p] ?? null), backgroundColor: COLORS[i],
  })) }, options: { scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' } } } } });
  document.documentElement.dataset.charts = 'ready';
}
