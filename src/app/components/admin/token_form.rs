use leptos::prelude::*;

use super::GrantFields;
use crate::app::functions::grants::GrantForm;
use crate::app::functions::tokens::{NewToken, create_token};
use crate::core::access::MAX_TOKEN_DAYS;

/// The "new token" form: a name that says who uses it, what it may do, and an optional
/// lifetime in days.
#[component]
pub fn NewTokenForm(
    csrf: String,
    on_created: Callback<NewToken>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let days = RwSignal::new(String::new());
    let grant = RwSignal::new(GrantForm::default());
    let create = Action::new(move |_: &()| {
        let (name, form, days, csrf) = (
            name.get_untracked(),
            grant.get_untracked(),
            days.get_untracked(),
            csrf.clone(),
        );
        async move {
            let result = create_token(name, form, days, csrf).await;
            if let Ok(created) = &result {
                on_created.run(created.clone());
            }
            result.map(|_| ())
        }
    });
    view! {
        <form class="panel admin-form" on:submit=move |e| { e.prevent_default(); create.dispatch(()); }>
            <h2>"New API token"</h2>
            <label for="token-name">"Name"</label>
            <p class="muted hint" id="token-name-hint">"Who or what uses it, such as \"inventory sync\"."</p>
            <input id="token-name" type="text" required autocomplete="off" aria-describedby="token-name-hint" prop:value=move || name.get() on:input=move |e| name.set(event_target_value(&e)) />
            <GrantFields form=grant id="token-new".to_owned() />
            <label for="token-days">"Expires after (days)"</label>
            <p class="muted hint" id="token-days-hint">{format!("1 to {MAX_TOKEN_DAYS}; leave it empty for a token that does not expire.")}</p>
            <input id="token-days" type="text" inputmode="numeric" autocomplete="off" aria-describedby="token-days-hint" prop:value=move || days.get() on:input=move |e| days.set(event_target_value(&e)) />
            <div class="row">
                <button type="submit" disabled=move || create.pending().get()>"Create token"</button>
                <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
            <div aria-live="polite">
                {move || create.value().get().and_then(|r| r.err()).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            </div>
        </form>
    }
    .into_any()
}
