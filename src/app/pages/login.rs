use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::functions::session::SignIn;

/// `/login`: username and password. Works without JavaScript (a plain form post that comes
/// back here with the error, or goes on to the site list).
#[component]
pub fn LoginPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let outcome = sign_in.value();
    view! {
        <Title text="Sign in" />
        <h1>"Sign in"</h1>
        <div class="login">
            <ActionForm action=sign_in>
                <label for="login-username">"Username"</label>
                <input id="login-username" name="username" type="text" required autocomplete="username" />
                <label for="login-password">"Password"</label>
                <input id="login-password" name="password" type="password" required autocomplete="current-password" />
                <button type="submit" disabled=move || sign_in.pending().get()>"Sign in"</button>
                <div aria-live="polite">
                    {move || match outcome.get() {
                        Some(Err(e)) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        _ => ().into_any(),
                    }}
                </div>
            </ActionForm>
            <p class="muted">
                "No account yet? An admin creates one on the server with "
                <code>"sitebook user create"</code>
                "."
            </p>
        </div>
    }
    .into_any()
}
