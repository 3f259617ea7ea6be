use leptos::prelude::*;
use leptos_meta::Title;

use crate::app::components::admin::{
    AdminNav, GrantEditor, NewUserForm, RoleCell, ShownOnce, admin_csrf, load_failed,
};
use crate::app::components::{ConfirmAction, Timestamp};
use crate::app::functions::grants::GrantForm;
use crate::app::functions::session::current_user;
use crate::app::functions::users::{NewUser, list_users, set_user_disabled, set_user_grant};
use crate::core::access::User;

/// `/admin/users`: who can sign in and what they may do; create, change role, disable.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let changes = RwSignal::new(0u64);
    let users = Resource::new(move || changes.get(), |_| list_users());
    let user = Resource::new(|| (), |_| current_user());
    let creating = RwSignal::new(false);
    let created = RwSignal::new(None::<NewUser>);
    let reload = Callback::new(move |_| changes.update(|n| *n += 1));
    view! {
        <Title text="Users" />
        <AdminNav current="users" />
        <h1>"Users"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading users…"</p> }>
            {move || Suspend::new(async move {
                let csrf = match admin_csrf(user.await, "Only admins manage users.") {
                    Ok(csrf) => csrf,
                    Err(refused) => return refused,
                };
                let list = match users.await {
                    Ok(list) => list,
                    Err(e) => return load_failed(e),
                };
                let form_csrf = csrf.clone();
                let on_created = Callback::new(move |new: NewUser| {
                    creating.set(false);
                    created.set(Some(new));
                    reload.run(());
                });
                view! {
                    {move || created.get().map(|new| match new.password {
                        Some(password) => view! {
                            <ShownOnce
                                title=format!("User {} created; their password", new.user.username)
                                secret=password
                                hint="Give it to them in person or over a channel you trust."
                                on_close=Callback::new(move |_| created.set(None))
                            />
                        }.into_any(),
                        None => view! { <p class="form-ok" role="status">{format!("User {} created.", new.user.username)}</p> }.into_any(),
                    })}
                    {move || if creating.get() {
                        view! { <NewUserForm csrf=form_csrf.clone() on_created on_cancel=Callback::new(move |_| creating.set(false)) /> }.into_any()
                    } else {
                        view! { <button class="new-item" on:click=move |_| { created.set(None); creating.set(true); }>"New user"</button> }.into_any()
                    }}
                    <table class="admin-list users">
                        <thead>
                            <tr>
                                <th scope="col">"User"</th>
                                <th scope="col">"Role"</th>
                                <th scope="col">"Created"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col"><span class="sr-only">"Actions"</span></th>
                            </tr>
                        </thead>
                        <tbody>
                            {list.into_iter().map(|row| view! { <UserRow row csrf=csrf.clone() on_changed=reload /> }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            })}
        </Transition>
    }
    .into_any()
}

#[component]
fn UserRow(row: User, csrf: String, on_changed: Callback<()>) -> impl IntoView {
    let editing = RwSignal::new(false);
    let id = row.id.clone();
    let grant_csrf = csrf.clone();
    let save = Action::new(move |form: &GrantForm| {
        let (id, form, csrf) = (id.clone(), form.clone(), grant_csrf.clone());
        async move {
            let result = set_user_grant(id, form, csrf).await;
            if result.is_ok() {
                on_changed.run(());
            }
            result
        }
    });
    let id = row.id.clone();
    let disabled = row.disabled_at.is_some();
    let toggle = Action::new(move |_: &()| {
        let (id, csrf) = (id.clone(), csrf.clone());
        async move {
            let result = set_user_disabled(id, !disabled, csrf).await;
            if result.is_ok() {
                on_changed.run(());
            }
            result
        }
    });
    let start = GrantForm::of(row.role, row.sites.as_deref());
    let editor_id = format!("grant-{}", row.id);
    let name = row.username.clone();
    view! {
        <tr data-user=row.username.clone() class:disabled=disabled>
            <td class="name">{row.username.clone()}</td>
            <td><RoleCell role=row.role.as_str() sites=row.sites.clone() /></td>
            <td><Timestamp at=row.created_at /></td>
            <td>{match row.disabled_at {
                Some(at) => view! { "Disabled " <Timestamp at /> }.into_any(),
                None => view! { "Active" }.into_any(),
            }}</td>
            <td class="actions">
                <button class="secondary" on:click=move |_| editing.update(|e| *e = !*e) aria-expanded=move || editing.get().to_string()>
                    "Change role" <span class="sr-only">{format!(" of {name}")}</span>
                </button>
                {if disabled {
                    view! { <button class="secondary" on:click=move |_| { toggle.dispatch(()); }>"Enable"</button> }.into_any()
                } else {
                    view! {
                        <ConfirmAction
                            label="Disable"
                            question=format!("Disable {}? They are signed out at once and cannot sign in.", row.username)
                            confirm="Disable user"
                            on_confirm=Callback::new(move |_| { toggle.dispatch(()); })
                        />
                    }.into_any()
                }}
                {move || toggle.value().get().and_then(|r| r.err()).map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            </td>
        </tr>
        <Show when=move || editing.get()>
            <tr class="editing">
                <td colspan="5">
                    <GrantEditor start=start.clone() id=editor_id.clone() save on_cancel=Callback::new(move |_| editing.set(false)) />
                </td>
            </tr>
        </Show>
    }
    .into_any()
}
