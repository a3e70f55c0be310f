// As stationdesk's window does: once the first frame is on screen, say so.
requestAnimationFrame(() => requestAnimationFrame(() => window.__TAURI__.core.invoke("window_painted")));
