//! The one source of real random bits, for every face. The store's calls take their random
//! bits (ids, secrets) as arguments, which keeps them deterministic under test; the faces draw
//! those bits here rather than each from a source of its own. Server only.

/// 128 random bits for a new id.
pub fn id_bits() -> u128 {
    u128::from_le_bytes(bytes())
}

/// 256 random bits for a token secret.
pub fn secret() -> [u8; 32] {
    bytes()
}

/// A password for a new user when the admin does not choose one: 20 random bytes as hex, 160
/// bits (well past any guessing) that are easy to copy.
pub fn password() -> String {
    hex::encode(bytes::<20>())
}

fn bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    // The OS random source does not fail on any platform Sitebook runs on; if it ever did,
    // handing out predictable ids or secrets would be worse than stopping.
    getrandom::fill(&mut buf).expect("the operating system's random source failed");
    buf
}

#[cfg(test)]
mod tests {
    #[test]
    fn two_draws_differ_and_a_password_is_forty_hex_digits() {
        assert_ne!(super::id_bits(), super::id_bits());
        assert_ne!(super::secret(), super::secret());
        let password = super::password();
        assert_eq!(password.len(), 40);
        assert!(password.bytes().all(|b| b.is_ascii_hexdigit()));
    }
}
