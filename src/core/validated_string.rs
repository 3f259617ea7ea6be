//! The conversions every validated string type shares, written once.

/// For a newtype `T(String)` with `T::parse(&str) -> Result<T, ValidationError>`: serde's
/// `try_from = "String"` / `into = "String"` round trip, and `Display` as the inner text.
macro_rules! validated_string {
    ($type:ident) => {
        impl TryFrom<String> for $type {
            type Error = $crate::core::error::ValidationError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$type> for String {
            fn from(value: $type) -> Self {
                value.0
            }
        }

        impl std::fmt::Display for $type {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

pub(crate) use validated_string;
