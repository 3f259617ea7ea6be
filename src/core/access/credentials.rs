//! Secrets: passwords (argon2) and API tokens (random 256-bit, stored as SHA-256).
//!
//! Passwords are low-entropy, so they get a slow, salted, memory-hard hash. Token secrets are
//! 256 random bits, which no one can guess or brute-force from a digest, so a fast unsalted
//! SHA-256 is enough, and it lets a request find its token with one indexed lookup instead of
//! running argon2 (tens of milliseconds) on every API call.

use argon2::password_hash::PasswordHasher;
use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
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

/// The working memory of one argon2 verification (19 MiB with the default parameters), kept
/// and handed to the next one. argon2's own `verify_password` allocates it afresh each time,
/// and however few run at once, allocators keep freed blocks this size in per-thread caches
/// (glibc's arenas held 700 MiB after 500 sign-ins spread over the blocking threads): reusing
/// a few of these makes the bound on concurrent checks a bound on their memory.
#[derive(Debug, Default)]
pub struct PasswordMemory(Vec<Block>);

/// True when `password` matches the stored PHC string; a damaged hash never matches.
///
/// The same computation as argon2's `PasswordVerifier` (the hash's own algorithm, version,
/// parameters and salt), written out only to pass `memory` through
/// `hash_password_into_with_memory`, the crate's entry point for reusing it.
pub fn verify_password(password: &str, phc: &str, memory: &mut PasswordMemory) -> bool {
    use subtle::ConstantTimeEq;

    let Ok(hash) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm.as_str()) else {
        return false;
    };
    let Ok(version) = hash
        .version
        .map_or(Ok(Version::default()), Version::try_from)
    else {
        return false;
    };
    let Ok(params) = Params::try_from(&hash) else {
        return false;
    };
    let blocks = params.block_count();
    if memory.0.len() < blocks {
        memory.0.resize(blocks, Block::default());
    }
    let mut computed = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(
            password.as_bytes(),
            salt.as_ref(),
            &mut computed,
            &mut memory.0[..blocks],
        )
        .is_ok()
        && bool::from(computed.ct_eq(expected.as_bytes()))
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
        let memory = &mut PasswordMemory::default();
        assert!(verify_password("correct horse battery", &hash, memory));
        assert!(!verify_password("correct horse batterY", &hash, memory));
        assert!(!verify_password(
            "correct horse battery",
            "not a hash",
            memory
        ));
        let salt_at = hash.rfind('$').unwrap() - 4;
        let mut other_salt = hash.clone();
        let other = if &hash[salt_at..=salt_at] == "A" {
            "B"
        } else {
            "A"
        };
        other_salt.replace_range(salt_at..=salt_at, other);
        assert_ne!(other_salt, hash);
        assert!(!verify_password(
            "correct horse battery",
            &other_salt,
            memory
        ));
        assert!(!verify_password(
            "correct horse battery",
            &hash[..hash.len() - 4],
            memory
        ));
    }

    /// The hand-written verification agrees with argon2's own for every algorithm, version
    /// and parameter set a stored hash may name, and one memory serves hashes of any size.
    #[test]
    fn reused_memory_verifies_as_argon2_itself_does() {
        use argon2::password_hash::PasswordVerifier;

        let memory = &mut PasswordMemory::default();
        let kinds = [
            (Algorithm::Argon2id, Version::V0x13, 256, 1, 1),
            (Algorithm::Argon2i, Version::V0x13, 64, 3, 2),
            (Algorithm::Argon2d, Version::V0x10, 128, 2, 4),
            (Algorithm::Argon2id, Version::V0x10, 32, 1, 1),
        ];
        for (algorithm, version, m, t, p) in kinds {
            let params = Params::new(m, t, p, Some(24)).unwrap();
            let hash = Argon2::new(algorithm, version, params)
                .hash_password(b"correct horse battery")
                .unwrap()
                .to_string();
            for guess in ["correct horse battery", "correct horse", ""] {
                let theirs = Argon2::default()
                    .verify_password(guess.as_bytes(), hash.as_str())
                    .is_ok();
                assert_eq!(verify_password(guess, &hash, memory), theirs, "{hash}");
                assert_eq!(theirs, guess == "correct horse battery");
            }
        }
        assert_eq!(memory.0.len(), 256, "grown to the largest, never shrunk");
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
