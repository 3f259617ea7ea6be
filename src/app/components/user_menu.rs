use leptos::prelude::*;

use crate::app::functions::session::{SignOut, SignedInUser};

/// The signed-in person's name and a sign-out button, in the top bar.
#[component]
pub fn UserMenu(user: SignedInUser) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    view! {
        <div class="user-menu">
            {(user.role == "admin").then(|| view! { <a href="/admin/tags">"Admin"</a> })}
            <span class="who">{user.username} " · " {user.role}</span>
            <ActionForm action=sign_out>
                <input type="hidden" name="csrf" value=user.csrf />
                <button type="submit" class="link">"Sign out"</button>
            </ActionForm>
        </div>
    }
    .into_any()
}
