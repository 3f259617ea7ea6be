use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::components::admin::{
    AdminNav, GrantEditor, NewTokenForm, RoleCell, ShownOnce, admin_csrf, load_failed,
};
use crate::app::components::{ConfirmAction, Timestamp};
use crate::app::functions::grants::GrantForm;
use crate::app::functions::session::current_user;
use crate::app::functions::tokens::{NewToken, list_tokens, revoke_token, set_token_grant};
use crate::core::access::ApiToken;

/// `/admin/tokens`: the API tokens scripts use; create (the secret shown once), change role,
/// revoke.
#[component]
pub fn AdminTokensPage() -> impl IntoView {
    let changes = RwSignal::new(0u64);
    let tokens = Resource::new(move || changes.get(), |_| list_tokens());
    let user = Resource::new(|| (), |_| current_user());
    let creating = RwSignal::new(false);
    let created = RwSignal::new(None::<NewToken>);
    let reload = Callback::new(move |_| changes.update(|n| *n += 1));
    view! {
        <Title text="API tokens" />
        <AdminNav current="tokens" />
        <h1>"API tokens"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading tokens…"</p> }>
            {move || Suspend::new(async move {
                let csrf = match admin_csrf(user.await, "Only admins manage API tokens.") {
                    Ok(csrf) => csrf,
                    Err(refused) => return refused,
                };
                let listing = match tokens.await {
                    Ok(listing) => listing,
                    Err(e) => return load_failed(e),
                };
                let form_csrf = csrf.clone();
                let on_created = Callback::new(move |new: NewToken| {
                    creating.set(false);
                    created.set(Some(new));
                    reload.run(());
                });
                let now = listing.now;
                let names = listing.names;
                view! {
                    {move || created.get().map(|new| view! {
                        <ShownOnce
                            title=format!("Token {} created; its secret", new.token.name)
                            secret=new.secret
                            hint="Scripts send it as the header 'Authorization: Bearer <secret>'."
                            on_close=Callback::new(move |_| created.set(None))
                        />
                    })}
                    {move || if creating.get() {
                        view! { <NewTokenForm csrf=form_csrf.clone() on_created on_cancel=Callback::new(move |_| creating.set(false)) /> }.into_any()
                    } else {
                        view! { <button class="new-item" on:click=move |_| { created.set(None); creating.set(true); }>"New token"</button> }.into_any()
                    }}
                    {if listing.tokens.is_empty() {
                        view! { <p class="empty">"No API tokens yet."</p> }.into_any()
                    } else {
                        view! {
                            <table class="admin-list tokens">
                                <thead>
                                    <tr>
                                        <th scope="col">"Token"</th>
                                        <th scope="col">"Role"</th>
                                        <th scope="col">"Created"</th>
                                        <th scope="col">"Last used"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {listing.tokens.into_iter().map(|row| {
                                        let by = names.get(&row.created_by).cloned().unwrap_or_else(|| row.created_by.clone());
                                        view! { <TokenRow row by now csrf=csrf.clone() on_changed=reload /> }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }}
                }.into_any()
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn TokenRow(
    row: ApiToken,
    /// Who made it, by name.
    by: String,
    now: chrono::DateTime<chrono::Utc>,
    csrf: String,
    on_changed: Callback<()>,
) -> impl IntoView {
    let editing = RwSignal::new(false);
    let id = row.id.clone();
    let grant_csrf = csrf.clone();
    let save = Action::new(move |form: &GrantForm| {
        let (id, form, csrf) = (id.clone(), form.clone(), grant_csrf.clone());
        async move {
            let result = set_token_grant(id, form, csrf).await;
            if result.is_ok() {
                on_changed.run(());
            }
            result
        }
    });
    let id = row.id.clone();
    let revoke = Action::new(move |_: &()| {
        let (id, csrf) = (id.clone(), csrf.clone());
        async move {
            let result = revoke_token(id, csrf).await;
            if result.is_ok() {
                on_changed.run(());
            }
            result
        }
    });
    let active = row.is_active(now);
    let status = match (row.revoked_at, row.expires_at) {
        (Some(at), _) => view! { "Revoked " <Timestamp at /> }.into_any(),
        (None, Some(at)) if at <= now => view! { "Expired " <Timestamp at /> }.into_any(),
        (None, Some(at)) => view! { "Active, expires " <Timestamp at /> }.into_any(),
        (None, None) => view! { "Active, no expiry" }.into_any(),
    };
    let start = GrantForm::of(row.role, row.sites.as_deref());
    let editor_id = format!("grant-{}", row.id);
    let name = row.name.clone();
    view! {
        <tr data-token=row.name.clone() class:disabled=!active>
            <td class="name">{row.name.clone()} <div class="muted"><code>{row.id.clone()}</code></div></td>
            <td><RoleCell role=row.role.as_str() sites=row.sites.clone() /></td>
            <td><Timestamp at=row.created_at /> <div class="muted">{format!("by {by}")}</div></td>
            <td>{row.last_used_at.map_or_else(|| view! { "never" }.into_any(), |at| view! { <Timestamp at /> }.into_any())}</td>
            <td>{status}</td>
            <td class="actions">
                {active.then(|| view! {
                    <button class="secondary" on:click=move |_| editing.update(|e| *e = !*e) aria-expanded=move || editing.get().to_string()>
                        "Change role" <span class="sr-only">{format!(" of {name}")}</span>
                    </button>
                    <ConfirmAction
                        label="Revoke"
                        question=format!("Revoke {}? Scripts using it stop working at once.", row.name)
                        confirm="Revoke token"
                        on_confirm=Callback::new(move |_| { revoke.dispatch(()); })
                    />
                })}
                {move || revoke.value().get().and_then(|r| r.err()).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            </td>
        </tr>
        <Show when=move || editing.get()>
            <tr class="editing">
                <td colspan="6">
                    <GrantEditor start=start.clone() id=editor_id.clone() save on_cancel=Callback::new(move |_| editing.set(false)) />
                </td>
            </tr>
        </Show>
    }
    .into_any()
}
