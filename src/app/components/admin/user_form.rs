use leptos::prelude::*;

use super::GrantFields;
use crate::app::functions::grants::GrantForm;
use crate::app::functions::users::{NewUser, create_user};

/// The "new user" form: a username, an optional password (the server chooses one when it is
/// left empty) and what they may do.
#[component]
pub fn NewUserForm(
    csrf: String,
    on_created: Callback<NewUser>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let grant = RwSignal::new(GrantForm::default());
    let create = Action::new(move |_: &()| {
        let (name, pw, form, csrf) = (
            username.get_untracked(),
            password.get_untracked(),
            grant.get_untracked(),
            csrf.clone(),
        );
        async move {
            let result = create_user(name, pw, form, csrf).await;
            if let Ok(created) = &result {
                on_created.run(created.clone());
            }
            result.map(|_| ())
        }
    });
    view! {
        <form class="panel admin-form" on:submit=move |e| { e.prevent_default(); create.dispatch(()); }>
            <h2>"New user"</h2>
            <label for="user-name">"Username"</label>
            <input id="user-name" type="text" required autocomplete="off" prop:value=move || username.get() on:input=move |e| username.set(event_target_value(&e)) />
            <label for="user-password">"Password"</label>
            <p class="muted hint" id="user-password-hint">"At least 10 characters. Leave it empty to have one made; it is shown once."</p>
            <input id="user-password" type="password" autocomplete="new-password" aria-describedby="user-password-hint" prop:value=move || password.get() on:input=move |e| password.set(event_target_value(&e)) />
            <GrantFields form=grant id="user-new".to_owned() />
            <div class="row">
                <button type="submit" disabled=move || create.pending().get()>"Create user"</button>
                <button type="button" class="secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
            <div aria-live="polite">
                {move || create.value().get().and_then(|r| r.err()).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            </div>
        </form>
    }
    .into_any()
}
