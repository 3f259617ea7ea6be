//! The server's random source. The core takes random bits as arguments (ids, token secrets),
//! which keeps it deterministic under test; this is where real ones come from.

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
    fn two_draws_differ() {
        assert_ne!(super::id_bits(), super::id_bits());
        assert_ne!(super::secret(), super::secret());
    }
}
