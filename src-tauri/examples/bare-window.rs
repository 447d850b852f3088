//! The stack's own floor: a Tauri window with one static page and nothing of Saifu's, which
//! `cargo xtask bench app` measures beside the app in the same run.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!(
            "examples/bare-window/tauri.conf.json"
        ))
        .expect("the bare window could not be opened");
}
