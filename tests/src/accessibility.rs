//! axe-core's accessibility rules run inside the real WebKit window: the script is injected
//! into the page as it is and asked for the violations, which the test judges by their impact.

use std::path::PathBuf;

use serde::Deserialize;

use crate::App;

/// `STATIONDESK_AXE`, or where `scripts/setup.sh test` installs axe-core.
fn axe_script() -> PathBuf {
    std::env::var_os("STATIONDESK_AXE").map_or_else(
        || {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is set"))
                .join(".cache/stationdesk/axe-core/node_modules/axe-core/axe.min.js")
        },
        PathBuf::from,
    )
}

#[derive(Debug, Deserialize)]
pub struct Violation {
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: Option<String>,
    pub help: String,
    /// The CSS selectors of the elements it was found on.
    pub targets: Vec<String>,
}

impl Violation {
    pub fn is_serious(&self) -> bool {
        matches!(self.impact.as_deref(), Some("serious" | "critical"))
    }
}

impl App {
    /// The violations of axe-core's WCAG 2.x A and AA rules on the screen as it is now.
    pub async fn accessibility_violations(&self) -> Vec<Violation> {
        let path = axe_script();
        let axe = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "axe-core at {} ({e}); scripts/setup.sh test installs it",
                path.display()
            )
        });
        self.driver
            .execute(&format!("{axe}\n;return true;"), vec![])
            .await
            .expect("axe-core loads into the window");
        let result = self
            .driver
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                   axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] }, resultTypes: ["violations"] })
                     .then((result) => done(result.violations.map((v) => ({
                       id: v.id, impact: v.impact, help: v.help,
                       targets: v.nodes.map((node) => node.target.join(" ")) }))))
                     .catch((error) => done({ error: String(error) }));"#,
                vec![],
            )
            .await
            .expect("axe-core runs in the window");
        result
            .convert()
            .unwrap_or_else(|e| panic!("axe-core's answer: {e}"))
    }
}
