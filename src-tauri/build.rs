fn main() {
    // The UI is embedded at compile time. Cargo watches a directory only for files coming
    // and going, and Trunk may rewrite the wasm under the same name: watch every file.
    if let Ok(entries) = std::fs::read_dir("../ui/dist") {
        for entry in entries.flatten() {
            println!("cargo:rerun-if-changed={}", entry.path().display());
        }
    }
    tauri_build::build()
}
