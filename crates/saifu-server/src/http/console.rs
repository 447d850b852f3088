//! The shop's console: its built files (Trunk's `merchant/dist`), served under /merchant/.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::Path as UrlPath;
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::service::ServiceError;

/// `router` with the console in `dir` at /merchant/.
pub fn with_console(router: Router, dir: PathBuf) -> Router {
    let dir = Arc::new(dir);
    let index = dir.clone();
    router
        .route(
            "/merchant",
            get(|| async { Redirect::permanent("/merchant/") }),
        )
        .route(
            "/merchant/",
            get(move || file(index.clone(), "index.html".to_owned())),
        )
        .route(
            "/merchant/{*path}",
            get(move |UrlPath(path): UrlPath<String>| file(dir.clone(), path)),
        )
}

/// One of the console's files; nothing outside its directory, whatever the path says.
async fn file(dir: Arc<PathBuf>, path: String) -> Result<Response, ServiceError> {
    let inside = path
        .split('/')
        .all(|part| !part.is_empty() && part != "." && part != ".." && !part.contains('\\'));
    if !inside {
        return Err(ServiceError::UnknownRoute);
    }
    let file = dir.join(&path);
    let bytes = tokio::fs::read(&file)
        .await
        .map_err(|_| ServiceError::UnknownRoute)?;
    Ok(([(header::CONTENT_TYPE, content_type(&file))], bytes).into_response())
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|extension| extension.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}
