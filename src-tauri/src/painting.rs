//! How WebKitGTK paints the window on a PC without a graphics processor.
//!
//! WebKitGTK paints the page with Skia on the GPU by default. Where there is no GPU (a small
//! till PC whose graphics the kernel drives without acceleration, a virtual machine), Mesa
//! stands in with OpenGL emulated on the CPU, and Skia's GPU painting on top of it is the
//! slowest way there is to draw: measured under Xvfb without a render node, the frame showing
//! the first page came 290-370 ms after the page was in the DOM, against 90-120 ms with Skia
//! painting on the CPU, which it was built to do (WPE WebKit paints on the CPU by default on
//! such devices). So without a render node the app asks WebKit to paint on the CPU; compositing
//! stays as it was. A value the user or the packager set wins, either way (`=0` keeps the GPU).

use std::ffi::OsStr;
use std::path::Path;

/// WebKit's switch: read by each web process as it starts, which is after the app sets it.
const CPU_PAINTING: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// Where the kernel puts its graphics devices; a GPU that can draw has a `renderD*` node.
const DRI_DIR: &str = "/dev/dri";

/// Chooses CPU painting where nothing else can paint quickly. Called before GTK, WebKit or any
/// other thread starts, so that the environment is changed while nobody reads it.
pub fn choose() {
    if wants_cpu_painting(
        std::env::var_os(CPU_PAINTING).as_deref(),
        has_render_node(Path::new(DRI_DIR)),
    ) {
        std::env::set_var(CPU_PAINTING, "1");
    }
}

fn wants_cpu_painting(already_set: Option<&OsStr>, render_node: bool) -> bool {
    already_set.is_none() && !render_node
}

fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_node_is_a_gpu_a_display_card_alone_is_not() {
        let dri = tempfile::tempdir().unwrap();
        assert!(
            !has_render_node(&dri.path().join("missing")),
            "no /dev/dri at all"
        );
        std::fs::write(dri.path().join("card0"), "").unwrap();
        assert!(
            !has_render_node(dri.path()),
            "a card without a render node only scans out"
        );
        std::fs::write(dri.path().join("renderD128"), "").unwrap();
        assert!(has_render_node(dri.path()));
    }

    #[test]
    fn cpu_painting_only_without_a_gpu_and_never_over_the_users_choice() {
        assert!(wants_cpu_painting(None, false));
        assert!(!wants_cpu_painting(None, true));
        assert!(
            !wants_cpu_painting(Some(OsStr::new("0")), false),
            "=0 keeps the GPU"
        );
        assert!(
            !wants_cpu_painting(Some(OsStr::new("1")), true),
            "set already: left as is"
        );
    }
}
