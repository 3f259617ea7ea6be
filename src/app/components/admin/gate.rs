use leptos::prelude::*;

use crate::app::components::SignInPrompt;
use crate::app::functions::FnError;
use crate::app::functions::session::SignedInUser;

/// What an admin page needs before showing anything: a signed-in admin, whose CSRF token its
/// forms send. Anyone else gets the view to show instead: a sign-in prompt, or `refusal`.
pub fn admin_csrf(
    user: Result<Option<SignedInUser>, FnError>,
    refusal: &'static str,
) -> Result<String, AnyView> {
    match user {
        Ok(Some(user)) if user.role == "admin" => Ok(user.csrf),
        Ok(Some(_)) => Err(view! { <p class="notice">{refusal}</p> }.into_any()),
        _ => Err(view! { <SignInPrompt /> }.into_any()),
    }
}

/// A list that could not be loaded: a notice when the role may not see it, else an error.
pub fn load_failed(error: FnError) -> AnyView {
    match error {
        FnError::Denied(message) => view! { <p class="notice">{message}</p> }.into_any(),
        other => view! { <p class="error" role="alert">{other.to_string()}</p> }.into_any(),
    }
}
