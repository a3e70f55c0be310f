// As stationdesk's window does: once the first frame is on screen, say so, with when that was
// counted from the page's navigation.
requestAnimationFrame(() => requestAnimationFrame(() =>
  window.__TAURI__.core.invoke("window_painted", { paintedMs: performance.now() })));
