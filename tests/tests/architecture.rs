//! The dependency rules of ARCHITECTURE.md, read from `cargo metadata`.

use std::collections::BTreeMap;
use std::process::Command;

/// Which workspace crates each workspace crate may depend on (normal and build dependencies).
const ALLOWED: &[(&str, &[&str])] = &[
    ("saifu-core", &[]),
    ("saifu-api", &["saifu-core"]),
    ("saifu-ipc", &["saifu-core"]),
    ("saifu-scan", &["saifu-core"]),
    ("saifu-client", &["saifu-core", "saifu-api", "saifu-ipc"]),
    ("saifu-server", &["saifu-core", "saifu-api"]),
    (
        "saifu-cli",
        &["saifu-core", "saifu-api", "saifu-client", "saifu-scan"],
    ),
    (
        "saifu-app",
        &["saifu-core", "saifu-ipc", "saifu-client", "saifu-scan"],
    ),
    ("saifu-ui", &["saifu-core", "saifu-ipc"]),
    // The till reads pay codes with the app's own decoder, compiled to wasm.
    ("saifu-merchant", &["saifu-core", "saifu-api", "saifu-scan"]),
    (
        "saifu-tests",
        &[
            "saifu-core",
            "saifu-api",
            "saifu-ipc",
            "saifu-client",
            "saifu-scan",
            "saifu-server",
        ],
    ),
    ("xtask", &[]),
];

/// Crates that must stay portable to the UI's wasm32 target: no native-only dependencies.
const UI_FORBIDDEN: &[&str] = &["tauri", "reqwest", "sqlx", "keyring", "nokhwa"];

fn workspace_dependencies() -> BTreeMap<String, Vec<(String, Option<String>)>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(saifu_tests::workspace_root())
        .output()
        .expect("run cargo metadata");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("metadata is JSON");
    metadata["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .map(|package| {
            let dependencies = package["dependencies"]
                .as_array()
                .expect("dependencies")
                .iter()
                .map(|d| {
                    (
                        d["name"].as_str().expect("name").to_owned(),
                        d["kind"].as_str().map(str::to_owned),
                    )
                })
                .collect();
            (
                package["name"].as_str().expect("name").to_owned(),
                dependencies,
            )
        })
        .collect()
}

#[test]
fn workspace_crates_follow_the_dependency_rules() {
    let packages = workspace_dependencies();
    let allowed: BTreeMap<_, _> = ALLOWED.iter().copied().collect();
    let mut violations = Vec::new();
    for (package, dependencies) in &packages {
        let Some(may_use) = allowed.get(package.as_str()) else {
            violations.push(format!(
                "{package} has no dependency rule: add it to ALLOWED"
            ));
            continue;
        };
        for (dependency, kind) in dependencies {
            let is_dev = kind.as_deref() == Some("dev");
            if packages.contains_key(dependency)
                && !is_dev
                && !may_use.contains(&dependency.as_str())
            {
                violations.push(format!("{package} must not depend on {dependency}"));
            }
            // saifu-server's own tests and bench take it with its `testing` feature.
            if dependency == "saifu-server" && package != "saifu-tests" && package != "saifu-server"
            {
                violations.push(format!(
                    "only saifu-tests may depend on saifu-server, not {package}"
                ));
            }
        }
    }
    for (ui, dependency) in ["saifu-ui", "saifu-merchant"].iter().flat_map(|ui| {
        packages[*ui]
            .iter()
            .map(move |(dependency, _)| (ui, dependency))
    }) {
        if UI_FORBIDDEN.contains(&dependency.as_str()) {
            violations.push(format!("{ui} must not depend on {dependency}"));
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

/// Inside saifu-server, each floor keeps its own: SQL only in store/, axum only in http/.
#[test]
fn the_service_keeps_sql_in_its_store_and_http_in_its_http_floor() {
    let src = saifu_tests::workspace_root().join("crates/saifu-server/src");
    let mut violations = Vec::new();
    let mut pending = vec![src.clone()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read the sources") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path.strip_prefix(&src).expect("under src");
            let floor = relative
                .components()
                .next()
                .and_then(|c| c.as_os_str().to_str());
            let text = std::fs::read_to_string(&path).expect("read a source");
            let rules = [("store", "sqlx", "SQL (sqlx)"), ("http", "axum", "axum")];
            for (home, word, what) in rules {
                if floor != Some(home) && text.contains(word) {
                    violations.push(format!(
                        "{} uses {what}, which belongs in {home}/",
                        relative.display()
                    ));
                }
            }
            for keyword in ["SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM"] {
                if floor != Some("store") && text.contains(keyword) {
                    violations.push(format!(
                        "{} holds SQL ({keyword}), which belongs in store/",
                        relative.display()
                    ));
                }
            }
        }
    }
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}
