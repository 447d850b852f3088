use saifu_ipc::IpcError;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::Lang;

#[derive(Properties, PartialEq)]
pub struct FieldProps {
    pub label: AttrValue,
    pub value: AttrValue,
    pub oninput: Callback<String>,
    /// The `data-test` hook of the input.
    pub test: AttrValue,
    #[prop_or(AttrValue::Static("text"))]
    pub kind: AttrValue,
    #[prop_or_default]
    pub inputmode: Option<AttrValue>,
    #[prop_or_default]
    pub autocomplete: Option<AttrValue>,
    #[prop_or_default]
    pub placeholder: Option<AttrValue>,
    #[prop_or_default]
    pub maxlength: Option<AttrValue>,
    /// A line under the input: what is wrong with it, or a hint.
    #[prop_or_default]
    pub note: Option<AttrValue>,
    #[prop_or_default]
    pub invalid: bool,
}

/// A labelled input whose note (an error or a hint) is tied to it for screen readers.
#[function_component(Field)]
pub fn field(props: &FieldProps) -> Html {
    let id = format!("field-{}", props.test);
    let note_id = format!("{id}-note");
    let oninput = props
        .oninput
        .reform(|event: InputEvent| event.target_unchecked_into::<HtmlInputElement>().value());
    html! {
        <div class="field">
            <label for={id.clone()}>{ &props.label }</label>
            <input {id} type={&props.kind} value={&props.value} {oninput}
                   data-test={&props.test}
                   inputmode={props.inputmode.clone()}
                   autocomplete={props.autocomplete.clone()}
                   placeholder={props.placeholder.clone()}
                   maxlength={props.maxlength.clone()}
                   aria-invalid={props.invalid.then_some("true")}
                   aria-describedby={props.note.as_ref().map(|_| note_id.clone())} />
            if let Some(note) = &props.note {
                <p id={note_id} class={classes!("field-note", props.invalid.then_some("invalid"))}>{ note }</p>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ErrorNoteProps {
    pub error: IpcError,
    pub lang: Lang,
    #[prop_or(AttrValue::Static("error"))]
    pub test: AttrValue,
}

/// An error in place, in words the user can act on.
#[function_component(ErrorNote)]
pub fn error_note(props: &ErrorNoteProps) -> Html {
    html! {
        <p class="error" role="alert" data-test={&props.test}>{ props.lang.error(&props.error) }</p>
    }
}
