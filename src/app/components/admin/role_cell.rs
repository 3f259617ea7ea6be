use leptos::prelude::*;

use crate::core::resources::ResourceId;

/// A role, and the sites a limited manager may change, linked.
#[component]
pub fn RoleCell(role: &'static str, sites: Option<Vec<ResourceId>>) -> impl IntoView {
    view! {
        <span class="badge">{role}</span>
        {sites.map(|sites| {
            if sites.is_empty() {
                return view! { <div class="muted">"limited to no site"</div> }.into_any();
            }
            view! {
                <div class="muted">
                    "only: "
                    {sites.into_iter().map(|site| view! { <a href=format!("/sites/{site}")>{site.to_string()}</a> " " }).collect_view()}
                </div>
            }.into_any()
        })}
    }
    .into_any()
}
