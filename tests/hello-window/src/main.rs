//! A window with one heading, reporting its first painted frame the way stationdesk does, so
//! the start-up benchmark compares like with like.

use std::sync::Once;
use std::time::Instant;

struct Started(Instant, Once);

#[tauri::command]
fn window_painted(started: tauri::State<'_, Started>, painted_ms: f64) {
    started.1.call_once(|| {
        eprintln!(
            "hello-window: first frame painted {} ms after start (the page: first frame at \
             {painted_ms:.0} ms)",
            started.0.elapsed().as_millis()
        );
    });
}

fn main() {
    let started = Started(Instant::now(), Once::new());
    tauri::Builder::default()
        .manage(started)
        .invoke_handler(tauri::generate_handler![window_painted])
        .run(tauri::generate_context!())
        .expect("the window opens");
}
