//! What the window relies on: every language names the same keys, every key the scripts ask
//! for with a literal `t("…")` exists, and every command they call is registered and allowed.

use std::collections::BTreeSet;
use std::path::Path;

fn ui_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/ui"))
}

fn keys(language: &str) -> BTreeSet<String> {
    let path = ui_dir().join("i18n").join(format!("{language}.json"));
    let texts: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    texts.into_iter().map(|(key, _)| key).collect()
}

/// The keys of every `t("key"` in the scripts (computed keys are left to the eye).
fn asked_for(source: &str) -> Vec<String> {
    source
        .match_indices("t(\"")
        .filter(|(at, _)| {
            // `t(` itself, not the end of another name such as `alert(`.
            !source[..*at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '.')
        })
        .filter_map(|(at, _)| {
            let rest = &source[at + 3..];
            rest.find('"').map(|end| rest[..end].to_owned())
        })
        .collect()
}

fn scripts(dir: &Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            scripts(&path, found);
        } else if path.extension().is_some_and(|e| e == "js") {
            found.push(path);
        }
    }
}

#[test]
fn every_language_has_every_text_the_window_asks_for() {
    let english = keys("en");
    for language in ["de", "da", "fi"] {
        let other = keys(language);
        let missing: Vec<_> = english.difference(&other).collect();
        let unknown: Vec<_> = other.difference(&english).collect();
        assert!(
            missing.is_empty() && unknown.is_empty(),
            "{language}.json lacks {missing:?} and has {unknown:?} that en.json has not"
        );
    }
    let mut files = Vec::new();
    scripts(&ui_dir().join("js"), &mut files);
    assert!(files.len() > 10, "the scripts are found");
    let missing: Vec<String> = files
        .iter()
        .flat_map(|file| {
            let source = std::fs::read_to_string(file).unwrap();
            asked_for(&source)
                .into_iter()
                .filter(|key| !english.contains(key))
                .map(|key| format!("{}: {key}", file.display()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(missing.is_empty(), "texts missing: {missing:#?}");
}

#[test]
fn a_literal_key_is_read_and_other_calls_are_not() {
    assert_eq!(
        asked_for(r#"t("a.b") + alert("x") + t("c", { n }) + ctx.t("d")"#),
        ["a.b", "c"]
    );
}

/// A command the window calls but the app does not register or the capability does not allow
/// fails only at run time, with "not allowed"; this finds it at test time.
#[test]
fn every_command_the_window_calls_is_registered_and_allowed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let (api, handlers, build, capability) = (
        read("ui/js/api.js"),
        read("src-tauri/src/lib.rs"),
        read("src-tauri/build.rs"),
        read("tauri.conf.json"),
    );
    let called: Vec<&str> = api
        .split("call(\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert!(called.len() > 40, "the calls are found");
    for command in called {
        assert!(
            handlers.contains(&format!("::{command},")),
            "{command} is not in generate_handler!"
        );
        assert!(
            build.contains(&format!("\"{command}\"")),
            "{command} is not declared in build.rs"
        );
        let permission = format!("\"allow-{}\"", command.replace('_', "-"));
        assert!(
            capability.contains(&permission),
            "tauri.conf.json does not grant {permission}"
        );
    }
}
