//! The caller of a face's route, with the role the route needs checked before anything else
//! is read: axum runs these extractors before the body's, so a staff token's 32 MiB write is
//! refused unread and learns nothing from its validation. The core checks again (with the
//! caller's sites and the resource's type); this only refuses early.

use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;

use super::{Face, Refusal, request_id};
use crate::core::CoreError;
use crate::core::access::Actor;
use crate::store::Store;

/// What a route asks of its caller's role.
pub trait Requirement: Send + Sync + 'static {
    fn check(actor: &Actor) -> Result<(), CoreError>;
}

/// Any caller with a working token.
pub struct Anyone;
/// Managers and admins.
pub struct Writers;
/// Admins.
pub struct Admins;

impl Requirement for Anyone {
    fn check(_: &Actor) -> Result<(), CoreError> {
        Ok(())
    }
}

impl Requirement for Writers {
    fn check(actor: &Actor) -> Result<(), CoreError> {
        actor.require_writer()
    }
}

impl Requirement for Admins {
    fn check(actor: &Actor) -> Result<(), CoreError> {
        actor.require_admin()
    }
}

/// The caller of a route of face `F` who meets `R`, from the token the face's clients send
/// (a Sitebook API token or an issued access token). Destructure as `Authenticated(actor, ..)`.
pub struct Authenticated<F, R = Anyone>(pub Actor, pub PhantomData<fn() -> (F, R)>);

impl<S, F, R> FromRequestParts<S> for Authenticated<F, R>
where
    S: Send + Sync,
    Store: FromRef<S>,
    F: Face,
    R: Requirement,
{
    type Rejection = F::Refused;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let secret = F::secret(&parts.headers)?.ok_or(Refusal::CredentialsMissing)?;
        let mut actor = Store::from_ref(state)
            .authenticate_bearer(secret, request_id::of(&parts.headers))
            .await
            .map_err(Refusal::Core)?;
        // The request's change set is new already (each authentication makes one); this says
        // which door it came through.
        actor.change.via = F::VIA;
        R::check(&actor).map_err(Refusal::Core)?;
        Ok(Self(actor, PhantomData))
    }
}
