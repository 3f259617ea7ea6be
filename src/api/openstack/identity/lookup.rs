//! What the identity face's lookups share: their query parameters, Keystone's policy refusal,
//! and the links of members and collections.

use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use serde_json::{Value, json};

use super::IdentityState;
use super::error::IdentityError;
use super::login::DOMAIN_ID;
use crate::core::CoreError;

/// A lookup's query parameters, as Keystone reads them: the last of a repeated name counts.
pub struct Params(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = IdentityError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map(|Query(pairs)| Self(pairs))
            .map_err(|_| IdentityError::bad_request("The query string cannot be read."))
    }
}

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A flag such as `include_names` or `effective`: set when present with any value but
    /// `0`, as Keystone's `query_filter_is_true` reads it.
    pub fn flag(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v != "0")
    }

    /// Whether a member that is (or is not) `enabled` passes `?enabled=`; a value that is not
    /// false reads as true, as Keystone's `bool_from_string(default=True)` reads it.
    pub fn keeps_enabled(&self, enabled: bool) -> bool {
        let Some(value) = self.get("enabled") else {
            return true;
        };
        let wanted = !matches!(
            value.to_ascii_lowercase().as_str(),
            "0" | "f" | "false" | "n" | "no" | "off"
        );
        wanted == enabled
    }

    /// Whether what lives in Sitebook's one domain passes `?domain_id=`.
    pub fn keeps_domain(&self) -> bool {
        self.get("domain_id").is_none_or(|id| id == DOMAIN_ID)
    }

    /// Whether `value` passes `?{name}=` (exact, as Keystone compares).
    pub fn keeps(&self, name: &str, value: &str) -> bool {
        self.get(name).is_none_or(|wanted| wanted == value)
    }
}

/// A core answer with its refusal worded as Keystone's policy refuses: naming the rule.
pub fn under_rule<T>(result: Result<T, CoreError>, rule: &str) -> Result<T, IdentityError> {
    result.map_err(|error| match error {
        CoreError::Forbidden(_) => IdentityError::forbidden(rule),
        other => other.into(),
    })
}

impl IdentityState {
    /// `{"self": …}` of one entry of a collection.
    pub fn member_links(&self, collection: &str, id: &str) -> Value {
        json!({"self": format!("{}/v3/{collection}/{id}", self.base_url())})
    }

    /// `{"<name>": [...], "links": …}`: every entry, in one page (openstacksdk never follows
    /// a `next` link here, so there is none).
    pub fn collection(&self, name: &str, path: &str, entries: Vec<Value>) -> Value {
        json!({
            name: entries,
            "links": {
                "self": format!("{}/v3/{path}", self.base_url()),
                "previous": null,
                "next": null,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn a_flag_is_set_by_any_value_but_zero() {
        assert!(params(&[("include_names", "")]).flag("include_names"));
        assert!(params(&[("include_names", "false")]).flag("include_names"));
        assert!(!params(&[("include_names", "0")]).flag("include_names"));
        assert!(!params(&[]).flag("include_names"));
    }

    #[test]
    fn enabled_reads_false_words_as_false_and_anything_else_as_true() {
        assert!(params(&[("enabled", "False")]).keeps_enabled(false));
        assert!(!params(&[("enabled", "0")]).keeps_enabled(true));
        assert!(params(&[("enabled", "yes")]).keeps_enabled(true));
        assert!(params(&[]).keeps_enabled(false));
    }
}
