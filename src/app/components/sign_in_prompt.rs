use leptos::prelude::*;

/// Shown instead of a page's content to someone who is not signed in.
#[component]
pub fn SignInPrompt() -> impl IntoView {
    view! {
        <p class="notice">
            "Please " <a href="/login">"sign in"</a> " to see the catalogue."
        </p>
    }
    .into_any()
}
