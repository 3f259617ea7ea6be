use leptos::prelude::*;

use super::Timestamp;
use crate::core::resources::Resource as Site;

#[component]
pub fn SiteTable(sites: Vec<Site>) -> impl IntoView {
    if sites.is_empty() {
        return view! { <p class="empty">"No sites yet. Create the first one above."</p> }
            .into_any();
    }
    view! {
        <table class="sites">
            <thead>
                <tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Type"</th>
                    <th scope="col">"Created"</th>
                </tr>
            </thead>
            <tbody>
                {sites
                    .into_iter()
                    .map(|site| {
                        view! {
                            <tr>
                                <td>
                                    <a href=format!("/sites/{}", site.id)>{site.name}</a>
                                </td>
                                <td>
                                    <span class="badge">{site.kind.to_string()}</span>
                                </td>
                                <td>
                                    <Timestamp at=site.created_at />
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
