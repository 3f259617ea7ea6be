//! A Keystone login body (`POST /v3/auth/tokens`) parsed into what the core takes: the
//! credential and the project it asks for. Shapes as keystoneauth's `password` and
//! `application_credential` plugins send them; anything else is refused here, by name.

use serde_json::{Map, Value};

use super::error::IdentityError;
use crate::core::access::{AccessCredential, UserRef};

/// The one domain Sitebook has, as OSC names it by default (`{"id": "default"}`) or as people
/// type it (`{"name": "Default"}`).
pub const DOMAIN_ID: &str = "default";
pub const DOMAIN_NAME: &str = "Default";

/// The authentication method, as the token reports it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Password,
    ApplicationCredential,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::ApplicationCredential => "application_credential",
        }
    }
}

/// The project a login asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// No scope, or `"unscoped"`: Sitebook scopes the token to the principal's tenant anyway,
    /// since a token without a project has no catalog and clients need one to find compute.
    Own,
    ProjectId(String),
    ProjectName(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    pub method: Method,
    pub credential: AccessCredential,
    pub scope: Scope,
}

fn object<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, IdentityError> {
    value
        .as_object()
        .ok_or_else(|| IdentityError::bad_request(format!("'{path}' must be an object.")))
}

fn field<'a>(
    parent: &'a Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<&'a Value, IdentityError> {
    parent
        .get(name)
        .ok_or_else(|| IdentityError::bad_request(format!("'{path}.{name}' is required.")))
}

fn string<'a>(
    parent: &'a Map<String, Value>,
    name: &str,
    path: &str,
) -> Result<Option<&'a str>, IdentityError> {
    match parent.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(IdentityError::bad_request(format!(
            "'{path}.{name}' must be a string."
        ))),
    }
}

/// A domain, where one is given, must be Sitebook's one domain; another names no user or
/// project here, which Keystone answers as a failed login.
fn check_domain(parent: &Map<String, Value>, path: &str) -> Result<(), IdentityError> {
    let Some(domain) = parent.get("domain") else {
        return Ok(());
    };
    let path = format!("{path}.domain");
    let domain = object(domain, &path)?;
    let id = string(domain, "id", &path)?;
    let name = string(domain, "name", &path)?;
    let ours = match (id, name) {
        (Some(id), _) => id == DOMAIN_ID,
        (None, Some(name)) => name.eq_ignore_ascii_case(DOMAIN_NAME),
        (None, None) => {
            return Err(IdentityError::bad_request(format!(
                "'{path}' needs an 'id' or a 'name'."
            )));
        }
    };
    if ours {
        Ok(())
    } else {
        Err(IdentityError::unauthorized(format!(
            "Sitebook has one domain, '{DOMAIN_NAME}' (id '{DOMAIN_ID}')."
        )))
    }
}

fn password(identity: &Map<String, Value>) -> Result<AccessCredential, IdentityError> {
    let path = "auth.identity.password";
    let method = object(field(identity, "password", "auth.identity")?, path)?;
    let path = "auth.identity.password.user";
    let user = object(field(method, "user", "auth.identity.password")?, path)?;
    let password = string(user, "password", path)?
        .ok_or_else(|| IdentityError::bad_request(format!("'{path}.password' is required.")))?;
    let user_ref = match (string(user, "id", path)?, string(user, "name", path)?) {
        (Some(id), _) => UserRef::Id(id.to_owned()),
        (None, Some(name)) => {
            check_domain(user, path)?;
            UserRef::Name(name.to_owned())
        }
        (None, None) => {
            return Err(IdentityError::bad_request(format!(
                "'{path}' needs an 'id' or a 'name'."
            )));
        }
    };
    Ok(AccessCredential::Password {
        user: user_ref,
        password: password.to_owned(),
    })
}

fn application_credential(
    identity: &Map<String, Value>,
) -> Result<AccessCredential, IdentityError> {
    let path = "auth.identity.application_credential";
    let credential = object(
        field(identity, "application_credential", "auth.identity")?,
        path,
    )?;
    let secret = string(credential, "secret", path)?
        .ok_or_else(|| IdentityError::bad_request(format!("'{path}.secret' is required.")))?;
    match string(credential, "id", path)? {
        Some(id) => Ok(AccessCredential::ApiToken {
            id: Some(id.to_owned()),
            secret: secret.to_owned(),
        }),
        None => Err(IdentityError::unauthorized(
            "Sitebook's application credentials are its API tokens: log in with the token's \
             id (tok_…) as the application credential id and its secret (sbk_…); names are \
             not accepted.",
        )),
    }
}

fn scope(auth: &Map<String, Value>) -> Result<Scope, IdentityError> {
    let scope = match auth.get("scope") {
        None | Some(Value::Null) => return Ok(Scope::Own),
        Some(Value::String(text)) if text == "unscoped" => return Ok(Scope::Own),
        Some(scope) => object(scope, "auth.scope")?,
    };
    let Some(project) = scope.get("project") else {
        return Err(IdentityError::unauthorized(
            "Sitebook scopes tokens to projects only (not to domains, the system or trusts).",
        ));
    };
    let path = "auth.scope.project";
    let project = object(project, path)?;
    match (string(project, "id", path)?, string(project, "name", path)?) {
        (Some(id), _) => Ok(Scope::ProjectId(id.to_owned())),
        (None, Some(name)) => {
            check_domain(project, path)?;
            Ok(Scope::ProjectName(name.to_owned()))
        }
        (None, None) => Err(IdentityError::bad_request(format!(
            "'{path}' needs an 'id' or a 'name'."
        ))),
    }
}

impl Login {
    /// The login a body holds, read as JSON first.
    pub fn read(body: &[u8]) -> Result<Self, IdentityError> {
        let body: Value = serde_json::from_slice(body)
            .map_err(|_| IdentityError::bad_request("The request body is not valid JSON."))?;
        Self::parse(&body)
    }

    pub fn parse(body: &Value) -> Result<Self, IdentityError> {
        let auth = object(field(object(body, "body")?, "auth", "body")?, "auth")?;
        let identity = object(field(auth, "identity", "auth")?, "auth.identity")?;
        let methods = field(identity, "methods", "auth.identity")?
            .as_array()
            .filter(|methods| !methods.is_empty())
            .ok_or_else(|| {
                IdentityError::bad_request("'auth.identity.methods' must be a non-empty list.")
            })?;
        let (method, credential) = match methods.as_slice() {
            [Value::String(m)] if m == "password" => (Method::Password, password(identity)?),
            [Value::String(m)] if m == "application_credential" => (
                Method::ApplicationCredential,
                application_credential(identity)?,
            ),
            _ => {
                return Err(IdentityError::unauthorized(
                    "Sitebook logs in with one method, 'password' or 'application_credential'.",
                ));
            }
        };
        let scope = scope(auth)?;
        Ok(Self {
            method,
            credential,
            scope,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use serde_json::json;

    fn password_login(user: Value, scope: Value) -> Value {
        json!({"auth": {"identity": {"methods": ["password"], "password": {"user": user}},
                        "scope": scope}})
    }

    #[test]
    fn an_osc_password_login_names_the_user_and_the_project_in_the_default_domain() {
        let body = password_login(
            json!({"name": "alice", "domain": {"id": "default"}, "password": "s3cret"}),
            json!({"project": {"name": "Default", "domain": {"name": "Default"}}}),
        );
        assert_eq!(
            Login::parse(&body).unwrap(),
            Login {
                method: Method::Password,
                credential: AccessCredential::Password {
                    user: UserRef::Name("alice".into()),
                    password: "s3cret".into()
                },
                scope: Scope::ProjectName("Default".into()),
            }
        );
    }

    #[test]
    fn a_user_may_be_named_by_id_and_the_project_by_id_or_not_at_all() {
        let body = password_login(
            json!({"id": "usr_1", "password": "pw"}),
            json!({"project": {"id": "64656661756c74"}}),
        );
        let login = Login::parse(&body).unwrap();
        assert_eq!(
            login.credential,
            AccessCredential::Password {
                user: UserRef::Id("usr_1".into()),
                password: "pw".into()
            }
        );
        assert_eq!(login.scope, Scope::ProjectId("64656661756c74".into()));
        for unscoped in [Value::Null, json!("unscoped")] {
            let body = password_login(json!({"id": "usr_1", "password": "pw"}), unscoped);
            assert_eq!(Login::parse(&body).unwrap().scope, Scope::Own);
        }
    }

    #[test]
    fn an_application_credential_is_an_api_token_id_and_secret() {
        let body = json!({"auth": {"identity": {"methods": ["application_credential"],
            "application_credential": {"id": "tok_1", "secret": "sbk_x"}}}});
        let login = Login::parse(&body).unwrap();
        assert_eq!(login.method, Method::ApplicationCredential);
        assert_eq!(
            login.credential,
            AccessCredential::ApiToken {
                id: Some("tok_1".into()),
                secret: "sbk_x".into()
            }
        );
        let by_name = json!({"auth": {"identity": {"methods": ["application_credential"],
            "application_credential": {"name": "ci", "secret": "sbk_x",
                                       "user": {"name": "alice"}}}}});
        let refused = Login::parse(&by_name).unwrap_err();
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert!(refused.message.contains("tok_"), "{}", refused.message);
    }

    #[test]
    fn malformed_bodies_are_bad_requests() {
        for body in [
            json!([]),
            json!({}),
            json!({"auth": {}}),
            json!({"auth": {"identity": {"methods": []}}}),
            json!({"auth": {"identity": {"methods": ["password"]}}}),
            password_login(json!({"name": "alice"}), Value::Null),
            password_login(json!({"password": "pw"}), Value::Null),
            password_login(json!({"name": 5, "password": "pw"}), Value::Null),
        ] {
            assert_eq!(
                Login::parse(&body).unwrap_err().status,
                StatusCode::BAD_REQUEST,
                "{body}"
            );
        }
    }

    #[test]
    fn other_methods_domains_and_scopes_are_refused_as_failed_logins() {
        for body in [
            json!({"auth": {"identity": {"methods": ["token"], "token": {"id": "x"}}}}),
            json!({"auth": {"identity": {"methods": ["password", "totp"]}}}),
            password_login(
                json!({"name": "alice", "domain": {"id": "other"}, "password": "pw"}),
                Value::Null,
            ),
            password_login(
                json!({"name": "alice", "password": "pw"}),
                json!({"domain": {"id": "default"}}),
            ),
            password_login(
                json!({"name": "alice", "password": "pw"}),
                json!({"project": {"name": "p", "domain": {"name": "Other"}}}),
            ),
        ] {
            assert_eq!(
                Login::parse(&body).unwrap_err().status,
                StatusCode::UNAUTHORIZED,
                "{body}"
            );
        }
    }
}
