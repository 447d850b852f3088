//! Typed calls to the shell: `call::<C>(&request)` for any `saifu_ipc::Command`.

use js_sys::{Function, Object, Promise, Reflect};
use saifu_ipc::{Code, Command, IpcError, REQUEST_ARG};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Sends `request` to the shell and waits for its answer.
pub async fn call<C: Command>(request: &C) -> Result<C::Output, IpcError> {
    invoke_command(request, &[]).await
}

/// Sends `request` with the further arguments `extra` (name, value) and waits for its answer.
async fn invoke_command<C: Command>(
    request: &C,
    extra: &[(&str, &JsValue)],
) -> Result<C::Output, IpcError> {
    let invoke = tauri_invoke()
        .ok_or_else(|| IpcError::new(Code::NoShell, "window.__TAURI__ is missing"))?;
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let request = request.serialize(&serializer).map_err(bad_request)?;
    let args = Object::new();
    Reflect::set(&args, &REQUEST_ARG.into(), &request).map_err(js_error)?;
    for (name, value) in extra {
        Reflect::set(&args, &(*name).into(), value).map_err(js_error)?;
    }
    let promise: Promise = invoke
        .call2(&JsValue::NULL, &C::NAME.into(), &args)
        .map_err(js_error)?
        .dyn_into()
        .map_err(js_error)?;
    match JsFuture::from(promise).await {
        Ok(output) => serde_wasm_bindgen::from_value(output).map_err(bad_request),
        Err(rejection) => Err(serde_wasm_bindgen::from_value(rejection.clone())
            .unwrap_or_else(|_| js_error(rejection))),
    }
}

/// `window.__TAURI__.core.invoke`, present when the page runs inside the shell.
fn tauri_invoke() -> Option<Function> {
    tauri_function("core", "invoke")
}

/// `window.__TAURI__[module][name]`, the shell's global API.
fn tauri_function(module: &str, name: &str) -> Option<Function> {
    let window: JsValue = web_sys::window()?.into();
    let tauri = Reflect::get(&window, &"__TAURI__".into()).ok()?;
    let module = Reflect::get(&tauri, &module.into()).ok()?;
    Reflect::get(&module, &name.into()).ok()?.dyn_into().ok()
}

fn bad_request(error: serde_wasm_bindgen::Error) -> IpcError {
    IpcError::new(Code::BadRequest, error.to_string())
}

fn js_error(value: JsValue) -> IpcError {
    let message = value.as_string().unwrap_or_else(|| format!("{value:?}"));
    IpcError::new(Code::Internal, message)
}

/// What a screen loaded: nothing yet, or the shell's answer.
pub type Loaded<T> = Option<Result<T, IpcError>>;

/// Sends `request` when the screen opens and again whenever `revision` changes (money moved,
/// cards changed), keeping the last answer.
#[yew::hook]
pub fn use_load<C>(request: C, revision: u32) -> yew::UseStateHandle<Loaded<C::Output>>
where
    C: Command + PartialEq + Clone + 'static,
    C::Output: 'static,
{
    let loaded = yew::use_state(|| None);
    {
        let loaded = loaded.clone();
        yew::use_effect_with((request, revision), move |(request, _)| {
            let request = request.clone();
            wasm_bindgen_futures::spawn_local(async move {
                loaded.set(Some(call(&request).await));
            });
        });
    }
    loaded
}

/// Calls `handler` with the payload of every `event` the shell emits, for the app's lifetime.
pub fn listen<T: DeserializeOwned + 'static>(event: &str, handler: impl Fn(T) + 'static) {
    let Some(listen) = tauri_function("event", "listen") else {
        return;
    };
    let callback = wasm_bindgen::closure::Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
        let payload = Reflect::get(&event, &"payload".into()).unwrap_or(JsValue::NULL);
        if let Ok(payload) = serde_wasm_bindgen::from_value(payload) {
            handler(payload);
        }
    });
    let _ = listen.call2(&JsValue::NULL, &event.into(), callback.as_ref());
    // The listener lives as long as the page: nothing ever unregisters it.
    callback.forget();
}

/// Reads one code with the phone's own camera screen (Tauri's barcode-scanner plugin, on
/// Android and iOS only): the text, as a scanned image or a pasted code gives it.
pub async fn scan_with_phone_camera() -> Result<String, IpcError> {
    let invoke = tauri_invoke()
        .ok_or_else(|| IpcError::new(Code::NoShell, "window.__TAURI__ is missing"))?;
    let args = Object::new();
    let formats = js_sys::Array::of1(&"QR_CODE".into());
    Reflect::set(&args, &"formats".into(), &formats).map_err(js_error)?;
    Reflect::set(&args, &"windowed".into(), &false.into()).map_err(js_error)?;
    let promise: Promise = invoke
        .call2(&JsValue::NULL, &"plugin:barcode-scanner|scan".into(), &args)
        .map_err(js_error)?
        .dyn_into()
        .map_err(js_error)?;
    let scanned = JsFuture::from(promise).await.map_err(js_error)?;
    Reflect::get(&scanned, &"content".into())
        .ok()
        .and_then(|content| content.as_string())
        .ok_or_else(|| IpcError::new(Code::NoCode, "the camera read no code"))
}

/// [`call`] with a channel: the shell sends `on_event` a stream of events under the
/// argument `channel_arg` while the command (or what it started) runs.
pub async fn call_with_channel<C: Command, E: DeserializeOwned + 'static>(
    request: &C,
    channel_arg: &str,
    on_event: impl Fn(E) + 'static,
) -> Result<C::Output, IpcError> {
    let channel_class = tauri_function("core", "Channel")
        .ok_or_else(|| IpcError::new(Code::NoShell, "window.__TAURI__.core.Channel is missing"))?;
    let channel = Reflect::construct(&channel_class, &js_sys::Array::new()).map_err(js_error)?;
    let handler =
        wasm_bindgen::closure::Closure::<dyn Fn(JsValue)>::new(move |message: JsValue| {
            if let Ok(event) = serde_wasm_bindgen::from_value(message) {
                on_event(event);
            }
        });
    Reflect::set(&channel, &"onmessage".into(), handler.as_ref()).map_err(js_error)?;
    // The channel outlives this call: the shell keeps sending after the command returns.
    handler.forget();
    invoke_command(request, &[(channel_arg, &channel)]).await
}
