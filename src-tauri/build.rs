/// The commands the UI may call. Declaring them gives each an `allow-…` permission, so the
/// capability in tauri.conf.json grants exactly these and nothing else.
const COMMANDS: &[&str] = &[
    "app_info",
    "list_stations",
    "add_station",
    "rename_station",
    "list_contracts",
    "create_contract",
    "give_notice",
    "catalog",
    "advise",
    "apply_option",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
