use leptos::prelude::*;

use crate::app::functions::grants::GrantForm;

const ROLES: [(&str, &str); 3] = [
    ("staff", "Staff: read everything"),
    ("manager", "Manager: also change metadata, tags and files"),
    ("admin", "Admin: also define tags, users and tokens"),
];

/// The role picker of the user and token forms, and for a manager the sites they are limited
/// to. `id` makes the labels' targets unique when several forms are on a page.
#[component]
pub fn GrantFields(form: RwSignal<GrantForm>, id: String) -> impl IntoView {
    let role_id = format!("{id}-role");
    let limited_id = format!("{id}-limited");
    let sites_id = format!("{id}-sites");
    let manager = move || form.with(|f| f.role == "manager");
    view! {
        <label for=role_id.clone()>"Role"</label>
        <select
            id=role_id
            prop:value=move || form.with(|f| f.role.clone())
            on:change=move |e| form.update(|f| f.role = event_target_value(&e))
        >
            {ROLES.into_iter().map(|(role, label)| view! { <option value=role>{label}</option> }).collect_view()}
        </select>
        // Hidden rather than removed, so what was typed survives switching the role back.
        <div class="grant-sites" hidden=move || !manager()>
            <label class="check">
                <input
                    id=limited_id
                    type="checkbox"
                    prop:checked=move || form.with(|f| f.limited)
                    on:change=move |e| form.update(|f| f.limited = event_target_checked(&e))
                />
                "Only on the sites listed below"
            </label>
            <div hidden=move || !form.with(|f| f.limited)>
                <label for=sites_id.clone()>"Site ids"</label>
                <p class="muted hint">"Separated by commas or spaces, such as site_01J…; an empty list allows no site."</p>
                <textarea
                    id=sites_id
                    rows="2"
                    prop:value=move || form.with(|f| f.sites.clone())
                    on:input=move |e| form.update(|f| f.sites = event_target_value(&e))
                ></textarea>
            </div>
        </div>
    }
    .into_any()
}
