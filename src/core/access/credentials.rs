//! Secrets: passwords (argon2) and API tokens (random 256-bit, stored as SHA-256).
//!
//! Passwords are low-entropy, so they get a slow, salted, memory-hard hash. Token secrets are
//! 256 random bits, which no one can guess or brute-force from a digest, so a fast unsalted
//! SHA-256 is enough, and it lets a request find its token with one indexed lookup instead of
//! running argon2 (tens of milliseconds) on every API call.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

use crate::core::CoreError;
use crate::core::error::ValidationError;

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 1024;

/// Hashes a password after checking its length, as a PHC string (`$argon2id$v=19$…`).
pub fn hash_password(password: &str) -> Result<String, CoreError> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(ValidationError::PasswordTooShort {
            min: PASSWORD_MIN_CHARS,
        }
        .into());
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(ValidationError::PasswordTooLong {
            max: PASSWORD_MAX_CHARS,
        }
        .into());
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        // Only a failing OS random source (for the salt) gets here.
        .map_err(|e| CoreError::Storage(format!("cannot hash a password: {e}")))
}

/// True when `password` matches the stored PHC string; a damaged hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// Every token secret starts with this, so leaked ones are easy to spot in logs and scanners.
pub const TOKEN_PREFIX: &str = "sbk_";

/// Builds the secret shown once to the token's creator from 32 random bytes.
pub fn token_secret(random: [u8; 32]) -> String {
    format!("{TOKEN_PREFIX}{}", hex::encode(random))
}

/// The digest stored for a secret and looked up on each request.
pub fn token_digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// A syntactically possible secret; anything else is refused before touching the database.
pub fn looks_like_token(secret: &str) -> bool {
    prefixed_hex(secret, TOKEN_PREFIX)
}

/// Every issued (short-lived) access token starts with this; see `access::issued`.
pub const ACCESS_TOKEN_PREFIX: &str = "sba_";

/// Builds an issued access token's secret from 32 random bytes.
pub fn access_token_secret(random: [u8; 32]) -> String {
    format!("{ACCESS_TOKEN_PREFIX}{}", hex::encode(random))
}

/// A syntactically possible issued access token.
pub fn looks_like_access_token(secret: &str) -> bool {
    prefixed_hex(secret, ACCESS_TOKEN_PREFIX)
}

/// The prefix and 64 lower-case hex digits.
fn prefixed_hex(secret: &str, prefix: &str) -> bool {
    secret.strip_prefix(prefix).is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_hash_verifies_only_its_password() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse batterY", &hash));
        assert!(!verify_password("correct horse battery", "not a hash"));
    }

    #[test]
    fn passwords_have_length_limits() {
        assert!(matches!(
            hash_password("short"),
            Err(CoreError::Invalid(ValidationError::PasswordTooShort {
                min: 10
            }))
        ));
        assert!(matches!(
            hash_password(&"x".repeat(1025)),
            Err(CoreError::Invalid(ValidationError::PasswordTooLong {
                max: 1024
            }))
        ));
    }

    #[test]
    fn a_token_secret_is_prefixed_hex_and_its_digest_is_stable() {
        let secret = token_secret([0xab; 32]);
        assert_eq!(secret, format!("sbk_{}", "ab".repeat(32)));
        assert!(looks_like_token(&secret));
        assert_eq!(token_digest(&secret), token_digest(&secret));
        assert_ne!(token_digest(&secret), token_digest(&token_secret([0; 32])));
    }

    #[test]
    fn api_token_and_access_token_secrets_are_told_apart_by_their_prefix() {
        let access = access_token_secret([0xcd; 32]);
        assert_eq!(access, format!("sba_{}", "cd".repeat(32)));
        assert!(looks_like_access_token(&access) && !looks_like_token(&access));
        assert!(!looks_like_access_token(&token_secret([0xcd; 32])));
    }

    #[test]
    fn malformed_secrets_are_recognised_without_a_lookup() {
        for bad in ["", "sbk_", "Bearer x", &format!("sbk_{}", "AB".repeat(32))] {
            assert!(!looks_like_token(bad), "{bad}");
        }
    }
}
