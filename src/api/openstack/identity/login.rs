//! A Keystone login body (`POST /v3/auth/tokens`) parsed into what the core takes: the
//! credential and the project it asks for. Shapes as keystoneauth's `password`,
//! `application_credential` and `token` plugins send them; anything else is refused here, by
//! name.

use serde::Deserialize;

use super::error::IdentityError;
use crate::core::access::{AccessCredential, UserRef};
use crate::core::openstack::principal_of;

/// The one domain Sitebook has, as OSC names it by default (`{"id": "default"}`) or as people
/// type it (`{"name": "Default"}`).
pub const DOMAIN_ID: &str = "default";
pub const DOMAIN_NAME: &str = "Default";

/// The authentication method, as the token reports it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Password,
    ApplicationCredential,
    /// A token the client holds, exchanged for another (re-scoping).
    Token,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::ApplicationCredential => "application_credential",
            Self::Token => "token",
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

// The body as Keystone's clients send it, read straight into these types (never a whole
// `serde_json::Value`, whose size a body of nested objects multiplies). Every field is
// optional here so that what is missing is answered by name below; unknown fields are
// ignored, as Keystone ignores them.

#[derive(Deserialize)]
struct LoginBody {
    auth: Option<AuthBody>,
}

#[derive(Deserialize)]
struct AuthBody {
    identity: Option<IdentityBody>,
    scope: Option<ScopeBody>,
}

#[derive(Deserialize)]
struct IdentityBody {
    methods: Option<Vec<String>>,
    password: Option<PasswordBody>,
    application_credential: Option<CredentialBody>,
    token: Option<HeldBody>,
}

#[derive(Deserialize)]
struct HeldBody {
    id: Option<String>,
}

#[derive(Deserialize)]
struct PasswordBody {
    user: Option<UserBody>,
}

#[derive(Deserialize)]
struct UserBody {
    id: Option<String>,
    name: Option<String>,
    password: Option<String>,
    domain: Option<NamedBody>,
}

#[derive(Deserialize)]
struct CredentialBody {
    id: Option<String>,
    secret: Option<String>,
}

/// A domain or a project: by id, or by name (in a domain).
#[derive(Deserialize)]
struct NamedBody {
    id: Option<String>,
    name: Option<String>,
    domain: Option<Box<NamedBody>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ScopeBody {
    Word(String),
    Target { project: Option<NamedBody> },
}

fn required<T>(value: Option<T>, path: &str) -> Result<T, IdentityError> {
    value.ok_or_else(|| IdentityError::bad_request(format!("'{path}' is required.")))
}

/// A domain, where one is given, must be Sitebook's one domain; another names no user or
/// project here, which Keystone answers as a failed login.
fn check_domain(domain: Option<&NamedBody>, path: &str) -> Result<(), IdentityError> {
    let Some(domain) = domain else {
        return Ok(());
    };
    let ours = match (&domain.id, &domain.name) {
        (Some(id), _) => id == DOMAIN_ID,
        (None, Some(name)) => name.eq_ignore_ascii_case(DOMAIN_NAME),
        (None, None) => {
            return Err(IdentityError::bad_request(format!(
                "'{path}.domain' needs an 'id' or a 'name'."
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

fn password(identity: IdentityBody) -> Result<AccessCredential, IdentityError> {
    let path = "auth.identity.password.user";
    let method = required(identity.password, "auth.identity.password")?;
    let user = required(method.user, path)?;
    let password = required(user.password, &format!("{path}.password"))?;
    let user_ref = match (user.id, user.name) {
        (Some(id), _) => UserRef::Id(principal_of(&id)),
        (None, Some(name)) => {
            check_domain(user.domain.as_ref(), path)?;
            UserRef::Name(name)
        }
        (None, None) => {
            return Err(IdentityError::bad_request(format!(
                "'{path}' needs an 'id' or a 'name'."
            )));
        }
    };
    Ok(AccessCredential::Password {
        user: user_ref,
        password,
    })
}

fn application_credential(identity: IdentityBody) -> Result<AccessCredential, IdentityError> {
    let path = "auth.identity.application_credential";
    let credential = required(identity.application_credential, path)?;
    let secret = required(credential.secret, &format!("{path}.secret"))?;
    match credential.id {
        Some(id) => Ok(AccessCredential::ApiToken {
            id: Some(principal_of(&id)),
            secret,
        }),
        None => Err(IdentityError::unauthorized(
            "Sitebook's application credentials are its API tokens: log in with the token's \
             id (tok-… or tok_…) as the application credential id and its secret (sbk_…); names are \
             not accepted.",
        )),
    }
}

/// Keystone's `token` method: the token in the body is the credential (the one keystoneauth
/// also sends in `X-Auth-Token`, which is not read here: the body names what is exchanged).
fn held(identity: IdentityBody) -> Result<AccessCredential, IdentityError> {
    let path = "auth.identity.token";
    let token = required(identity.token, path)?;
    let secret = required(token.id, &format!("{path}.id"))?;
    Ok(AccessCredential::Held { secret })
}

fn scope(scope: Option<ScopeBody>) -> Result<Scope, IdentityError> {
    let project = match scope {
        None => return Ok(Scope::Own),
        Some(ScopeBody::Word(word)) if word == "unscoped" => return Ok(Scope::Own),
        Some(ScopeBody::Word(_)) => {
            return Err(IdentityError::bad_request(
                "'auth.scope' must be an object or \"unscoped\".",
            ));
        }
        Some(ScopeBody::Target { project }) => project,
    };
    let Some(project) = project else {
        return Err(IdentityError::unauthorized(
            "Sitebook scopes tokens to projects only (not to domains, the system or trusts).",
        ));
    };
    let path = "auth.scope.project";
    match (project.id, project.name) {
        (Some(id), _) => Ok(Scope::ProjectId(id)),
        (None, Some(name)) => {
            check_domain(project.domain.as_deref(), path)?;
            Ok(Scope::ProjectName(name))
        }
        (None, None) => Err(IdentityError::bad_request(format!(
            "'{path}' needs an 'id' or a 'name'."
        ))),
    }
}

impl Login {
    /// The login a body holds.
    pub fn read(body: &[u8]) -> Result<Self, IdentityError> {
        let body: LoginBody = serde_json::from_slice(body).map_err(|e| {
            IdentityError::bad_request(format!("The request body is not a login: {e}"))
        })?;
        let auth = required(body.auth, "auth")?;
        let mut identity = required(auth.identity, "auth.identity")?;
        let methods = identity
            .methods
            .take()
            .filter(|methods| !methods.is_empty())
            .ok_or_else(|| {
                IdentityError::bad_request("'auth.identity.methods' must be a non-empty list.")
            })?;
        let (method, credential) = match methods.as_slice() {
            [m] if m == "password" => (Method::Password, password(identity)?),
            [m] if m == "application_credential" => (
                Method::ApplicationCredential,
                application_credential(identity)?,
            ),
            [m] if m == "token" => (Method::Token, held(identity)?),
            _ => {
                return Err(IdentityError::unauthorized(
                    "Sitebook logs in with one method, 'password', 'application_credential' \
                     or 'token'.",
                ));
            }
        };
        Ok(Self {
            method,
            credential,
            scope: scope(auth.scope)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::StatusCode;
    use serde_json::{Value, json};

    impl Login {
        fn parse(body: &Value) -> Result<Self, IdentityError> {
            Self::read(body.to_string().as_bytes())
        }
    }

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
    fn the_token_method_exchanges_the_token_in_the_body_for_the_scope_asked() {
        let body = json!({"auth": {"identity": {"methods": ["token"], "token": {"id": "sba_x"}},
                                   "scope": {"project": {"id": "64656661756c74"}}}});
        assert_eq!(
            Login::parse(&body).unwrap(),
            Login {
                method: Method::Token,
                credential: AccessCredential::Held {
                    secret: "sba_x".into()
                },
                scope: Scope::ProjectId("64656661756c74".into()),
            }
        );
    }

    #[test]
    fn malformed_bodies_are_bad_requests() {
        for body in [
            json!([]),
            json!({}),
            json!({"auth": {}}),
            json!({"auth": {"identity": {"methods": []}}}),
            json!({"auth": {"identity": {"methods": ["password"]}}}),
            json!({"auth": {"identity": {"methods": ["token"]}}}),
            json!({"auth": {"identity": {"methods": ["token"], "token": {}}}}),
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
            json!({"auth": {"identity": {"methods": ["totp"], "totp": {}}}}),
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
