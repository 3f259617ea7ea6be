use std::fmt;

/// Why a rule refused an input. Each variant carries what a person needs to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidationError {
    NameEmpty,
    NameTooLong {
        max: usize,
        actual: usize,
    },
    NameHasControlCharacter,
    ResourceTypeInvalid(String),
    ResourceIdInvalid(String),
    /// The id is in the form Sitebook gives users and API tokens.
    ResourceIdReserved(String),
    MetaKeyEmpty,
    MetaKeyTooLong {
        max: usize,
        actual: usize,
    },
    MetaKeyHasControlCharacter,
    MetaValueNull {
        key: String,
    },
    MetaValueNotScalar {
        key: String,
    },
    MetaValueTooLong {
        key: String,
        max: usize,
        actual: usize,
    },
    MetaIntegerOutOfRange {
        key: String,
    },
    /// Typed into a form: the text cannot be read as the type the person picked.
    MetaValueNotOfType {
        key: String,
        expected: &'static str,
        text: String,
    },
    /// An untyped dialect's quota on the items a resource holds (Nova's `metadata_items`).
    MetaItemsOverQuota {
        max: usize,
        actual: usize,
    },
    MetaTooManyKeys {
        max: usize,
        actual: usize,
    },
    /// A tenant setting outside the range it takes.
    SettingOutOfRange {
        setting: &'static str,
        min: u32,
        max: u32,
        actual: u32,
    },
    MetaNameRequired,
    /// A change set's comment over its bound.
    CommentTooLong {
        max: usize,
        actual: usize,
    },
    /// A revert of a change set holding changes a revert does not undo (the message says which).
    ChangeSetNotRevertible(String),
    MetadataNotAnObject,
    PatchMalformed(String),
    PatchFailed(String),
    PatchTestFailed(String),
    PatchTooLong {
        max: usize,
        actual: usize,
    },
    /// The `name` key names the resource, so it must be usable as a resource name.
    MetaNameInvalid(Box<ValidationError>),
    MetaNameNotText {
        actual: &'static str,
    },
    /// A dialect whose metadata is all strings wrote `name`, which is the resource's name there.
    MetaNameNotAnItem,
    /// A dialect whose metadata is all strings was sent another kind of value.
    MetaValueNotText {
        key: String,
    },
    /// A Data Hub stream, type or namespace id that Data Hub's rules refuse.
    SdsIdInvalid {
        what: &'static str,
        why: String,
    },
    /// A Data Hub stream or type body that cannot be read.
    SdsBodyInvalid(String),
    UsernameInvalid,
    PasswordTooShort {
        min: usize,
    },
    PasswordTooLong {
        max: usize,
    },
    RoleUnknown(String),
    /// Site limits only make sense for managers: admins write everywhere, staff nowhere.
    SitesOnlyForManagers,
    /// A token's lifetime in days, as a form gives it, is not a whole number in range.
    TokenLifetimeInvalid {
        max_days: u32,
    },
    ColourInvalid(String),
    DescriptionTooLong {
        max: usize,
        actual: usize,
    },
    AppliesToEmpty,
    CorrelationTypeUnknown(String),
    AllowedValuesEmpty,
    AllowedValueRepeated(String),
    TooManyAllowedValues {
        max: usize,
        actual: usize,
    },
    TagValueEmpty,
    TagValueTooLong {
        max: usize,
        actual: usize,
    },
    TagValueHasControlCharacter,
    TagValueNotAllowed {
        tag: String,
        value: String,
        allowed: Vec<String>,
    },
    TagNotApplicable {
        tag: String,
        correlation_type: &'static str,
        applies_to: Vec<&'static str>,
    },
    /// A tag attached without a value (Data Hub's tags) whose definition allows only a list.
    TagValueRequired {
        tag: String,
        allowed: Vec<String>,
    },
    /// A tag name with no definition where new names are not defined on first use.
    TagUnknown(String),
    TooManyTags {
        max: usize,
        actual: usize,
    },
    /// Defining tags on first use would pass a bound: the tenant's definitions made that way
    /// (`per_hour` false), or one principal's in the last hour (`per_hour` true).
    TooManyAutoDefinedTags {
        max: usize,
        per_hour: bool,
    },
    FileKindUnknown(String),
    FileEmpty,
    /// The sniffed type, which is not on the allowlist.
    FileTypeNotAccepted(String),
    NoteNotText,
    /// A search query that does not parse; `position` counts characters from 0.
    SearchInvalid {
        position: usize,
        message: String,
    },
    /// A search term, starting at character `position`, holds more than `max` wildcards.
    SearchTooManyWildcards {
        position: usize,
        max: usize,
    },
    /// A search still running when its deadline (`limit_ms`) came was stopped. Refused as the
    /// query's fault (422), not the server's (503): a search that takes seconds over this
    /// data does so every time, so "try again later" would only have a script repeat it.
    SearchTooSlow {
        limit_ms: u64,
    },
    /// A key outside Nova's pattern (`[a-zA-Z0-9-_:. ]`, 1 to 255 characters).
    NovaKeyInvalid(String),
    /// A server list's `name` that is not a regular expression Sitebook can run in linear time
    /// within its size limit.
    NovaNameFilterInvalid {
        pattern: String,
        reason: String,
    },
    NovaValueTooLong {
        key: String,
        max: usize,
        actual: usize,
    },
    AggregateNameInvalid(String),
    AvailabilityZoneInvalid(String),
    /// Nova cannot blank an aggregate's availability zone once it has one.
    AvailabilityZoneRequired,
    HostNameInvalid(String),
    AggregateIdInvalid(String),
    /// Nova deletes only an aggregate without hosts.
    AggregateNotEmpty,
}

impl ValidationError {
    /// A short, stable identifier for the rule, for clients to branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NameEmpty => "name_empty",
            Self::NameTooLong { .. } => "name_too_long",
            Self::NameHasControlCharacter => "name_control_character",
            Self::ResourceTypeInvalid(_) => "resource_type_invalid",
            Self::ResourceIdInvalid(_) => "resource_id_invalid",
            Self::ResourceIdReserved(_) => "resource_id_reserved",
            Self::MetaKeyEmpty => "metadata_key_empty",
            Self::MetaKeyTooLong { .. } => "metadata_key_too_long",
            Self::MetaKeyHasControlCharacter => "metadata_key_control_character",
            Self::MetaValueNull { .. } => "metadata_value_null",
            Self::MetaValueNotScalar { .. } => "metadata_value_not_scalar",
            Self::MetaValueTooLong { .. } => "metadata_value_too_long",
            Self::MetaIntegerOutOfRange { .. } => "metadata_integer_out_of_range",
            Self::MetaValueNotOfType { .. } => "metadata_value_type_mismatch",
            Self::MetaTooManyKeys { .. } => "metadata_too_many_keys",
            Self::MetaItemsOverQuota { .. } => "metadata_items_over_quota",
            Self::SettingOutOfRange { .. } => "setting_invalid",
            // The Altostrat API documents exactly this code for a create without `name`.
            Self::MetaNameRequired => "parameter_missing",
            Self::CommentTooLong { .. } => "comment_too_long",
            Self::ChangeSetNotRevertible(_) => "change_set_not_revertible",
            Self::MetadataNotAnObject => "metadata_not_an_object",
            Self::PatchMalformed(_) => "patch_malformed",
            Self::PatchFailed(_) => "patch_failed",
            Self::PatchTestFailed(_) => "patch_test_failed",
            Self::PatchTooLong { .. } => "patch_too_long",
            Self::MetaNameInvalid(_) | Self::MetaNameNotText { .. } => "metadata_name_invalid",
            Self::MetaNameNotAnItem => "metadata_name_not_an_item",
            Self::MetaValueNotText { .. } => "metadata_value_not_text",
            Self::SdsIdInvalid { .. } => "datahub_id_invalid",
            Self::SdsBodyInvalid(_) => "datahub_body_invalid",
            Self::UsernameInvalid => "username_invalid",
            Self::PasswordTooShort { .. } => "password_too_short",
            Self::PasswordTooLong { .. } => "password_too_long",
            Self::RoleUnknown(_) => "role_unknown",
            Self::SitesOnlyForManagers => "sites_only_for_managers",
            Self::TokenLifetimeInvalid { .. } => "token_lifetime_invalid",
            Self::ColourInvalid(_) => "colour_invalid",
            Self::DescriptionTooLong { .. } => "description_too_long",
            Self::AppliesToEmpty => "applies_to_empty",
            Self::CorrelationTypeUnknown(_) => "correlation_type_invalid",
            Self::AllowedValuesEmpty => "allowed_values_empty",
            Self::AllowedValueRepeated(_) => "allowed_value_repeated",
            Self::TooManyAllowedValues { .. } => "allowed_values_too_many",
            Self::TagValueEmpty => "tag_value_empty",
            Self::TagValueTooLong { .. } => "tag_value_too_long",
            Self::TagValueHasControlCharacter => "tag_value_control_character",
            Self::TagValueNotAllowed { .. } => "tag_value_not_allowed",
            Self::TagNotApplicable { .. } => "tag_not_applicable",
            Self::TagValueRequired { .. } => "tag_value_required",
            Self::TagUnknown(_) => "tag_unknown",
            Self::TooManyTags { .. } => "tags_too_many",
            Self::TooManyAutoDefinedTags { .. } => "auto_defined_tags_too_many",
            Self::FileKindUnknown(_) => "file_kind_invalid",
            Self::FileEmpty => "file_empty",
            Self::FileTypeNotAccepted(_) => "unsupported_media_type",
            Self::NoteNotText => "note_not_text",
            Self::SearchInvalid { .. } => "search_invalid",
            Self::SearchTooManyWildcards { .. } => "too_many_wildcards",
            Self::SearchTooSlow { .. } => "search_too_slow",
            Self::NovaKeyInvalid(_) => "nova_metadata_key_invalid",
            Self::NovaNameFilterInvalid { .. } => "name_filter_invalid",
            Self::NovaValueTooLong { .. } => "nova_metadata_value_too_long",
            Self::AggregateNameInvalid(_) => "aggregate_name_invalid",
            Self::AvailabilityZoneInvalid(_) => "availability_zone_invalid",
            Self::AvailabilityZoneRequired => "availability_zone_required",
            Self::HostNameInvalid(_) => "host_name_invalid",
            Self::AggregateIdInvalid(_) => "aggregate_id_invalid",
            Self::AggregateNotEmpty => "aggregate_not_empty",
        }
    }
}

impl ValidationError {
    /// One example of every rule, so documentation and tests can walk them all. A new variant
    /// does not compile until `code` names it, and `every_variant_has_an_example` then fails
    /// until it has an example here.
    pub fn examples() -> Vec<Self> {
        let s = String::new;
        vec![
            Self::NameEmpty,
            Self::NameTooLong { max: 1, actual: 2 },
            Self::NameHasControlCharacter,
            Self::ResourceTypeInvalid(s()),
            Self::ResourceIdInvalid(s()),
            Self::ResourceIdReserved(s()),
            Self::MetaKeyEmpty,
            Self::MetaKeyTooLong { max: 1, actual: 2 },
            Self::MetaKeyHasControlCharacter,
            Self::MetaValueNull { key: s() },
            Self::MetaValueNotScalar { key: s() },
            Self::MetaValueTooLong {
                key: s(),
                max: 1,
                actual: 2,
            },
            Self::MetaIntegerOutOfRange { key: s() },
            Self::MetaValueNotOfType {
                key: s(),
                expected: "number",
                text: s(),
            },
            Self::MetaTooManyKeys { max: 1, actual: 2 },
            Self::MetaItemsOverQuota { max: 1, actual: 2 },
            Self::SettingOutOfRange {
                setting: "s",
                min: 1,
                max: 2,
                actual: 3,
            },
            Self::MetaNameRequired,
            Self::CommentTooLong { max: 1, actual: 2 },
            Self::ChangeSetNotRevertible(s()),
            Self::MetadataNotAnObject,
            Self::PatchMalformed(s()),
            Self::PatchFailed(s()),
            Self::PatchTestFailed(s()),
            Self::PatchTooLong { max: 1, actual: 2 },
            Self::MetaNameInvalid(Box::new(Self::NameEmpty)),
            Self::MetaNameNotText { actual: "number" },
            Self::MetaNameNotAnItem,
            Self::MetaValueNotText { key: s() },
            Self::SdsIdInvalid {
                what: "stream",
                why: s(),
            },
            Self::SdsBodyInvalid(s()),
            Self::UsernameInvalid,
            Self::PasswordTooShort { min: 1 },
            Self::PasswordTooLong { max: 1 },
            Self::RoleUnknown(s()),
            Self::SitesOnlyForManagers,
            Self::TokenLifetimeInvalid { max_days: 1 },
            Self::ColourInvalid(s()),
            Self::DescriptionTooLong { max: 1, actual: 2 },
            Self::AppliesToEmpty,
            Self::CorrelationTypeUnknown(s()),
            Self::AllowedValuesEmpty,
            Self::AllowedValueRepeated(s()),
            Self::TooManyAllowedValues { max: 1, actual: 2 },
            Self::TagValueEmpty,
            Self::TagValueTooLong { max: 1, actual: 2 },
            Self::TagValueHasControlCharacter,
            Self::TagValueNotAllowed {
                tag: s(),
                value: s(),
                allowed: vec![],
            },
            Self::TagNotApplicable {
                tag: s(),
                correlation_type: "site",
                applies_to: vec![],
            },
            Self::TagValueRequired {
                tag: s(),
                allowed: vec![],
            },
            Self::TagUnknown(s()),
            Self::TooManyTags { max: 1, actual: 2 },
            Self::TooManyAutoDefinedTags {
                max: 1,
                per_hour: true,
            },
            Self::FileKindUnknown(s()),
            Self::FileEmpty,
            Self::FileTypeNotAccepted(s()),
            Self::NoteNotText,
            Self::SearchInvalid {
                position: 0,
                message: s(),
            },
            Self::SearchTooManyWildcards {
                position: 0,
                max: 1,
            },
            Self::SearchTooSlow { limit_ms: 1 },
            Self::NovaKeyInvalid(s()),
            Self::NovaNameFilterInvalid {
                pattern: s(),
                reason: s(),
            },
            Self::NovaValueTooLong {
                key: s(),
                max: 1,
                actual: 2,
            },
            Self::AggregateNameInvalid(s()),
            Self::AvailabilityZoneInvalid(s()),
            Self::AvailabilityZoneRequired,
            Self::HostNameInvalid(s()),
            Self::AggregateIdInvalid(s()),
            Self::AggregateNotEmpty,
        ]
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NameEmpty => f.write_str("A name is required."),
            Self::NameTooLong { max, actual } => {
                write!(
                    f,
                    "A name can be at most {max} characters; this one has {actual}."
                )
            }
            Self::NameHasControlCharacter => {
                f.write_str("A name cannot contain control characters such as tabs or line breaks.")
            }
            Self::ResourceTypeInvalid(value) => write!(
                f,
                "'{value}' is not a resource type: use lowercase words separated by dots, \
                 such as 'site' or 'mikrotik.device'."
            ),
            Self::ResourceIdInvalid(value) => write!(
                f,
                "'{value}' is not a usable resource id: use 1 to 128 letters, digits, '-', '_', \
                 '.' or ':', such as a UUID."
            ),
            Self::ResourceIdReserved(value) => write!(
                f,
                "'{value}' is in the form of a user's or API token's id ('usr_…', 'tok_…'), \
                 which resources cannot take: choose another id."
            ),
            Self::MetaKeyEmpty => f.write_str("A metadata key cannot be empty."),
            Self::MetaKeyTooLong { max, actual } => {
                write!(
                    f,
                    "A metadata key can be at most {max} characters; this one has {actual}."
                )
            }
            Self::MetaKeyHasControlCharacter => {
                f.write_str("A metadata key cannot contain control characters.")
            }
            Self::MetaValueNull { key } => write!(
                f,
                "The value of '{key}' is null; to remove a key, delete it or send a merge patch."
            ),
            Self::MetaValueNotScalar { key } => write!(
                f,
                "The value of '{key}' must be a string, a number or a boolean."
            ),
            Self::MetaValueTooLong { key, max, actual } => write!(
                f,
                "The value of '{key}' is {actual} bytes; the most a value can hold is {max} bytes."
            ),
            Self::MetaIntegerOutOfRange { key } => write!(
                f,
                "The value of '{key}' is an integer too large to keep exactly (the largest is {}).",
                i64::MAX
            ),
            Self::MetaValueNotOfType {
                key,
                expected,
                text,
            } => match *expected {
                "boolean" => write!(
                    f,
                    "'{text}' is not a boolean; the value of '{key}' must be true or false."
                ),
                _ => write!(
                    f,
                    "'{text}' is not a {expected}; the value of '{key}' must be a finite number \
                     such as 2, -7 or 3.5."
                ),
            },
            Self::MetaItemsOverQuota { max, actual } => write!(
                f,
                "Maximum number of metadata items exceeds {max} (this write would leave {actual})"
            ),
            Self::SettingOutOfRange {
                setting,
                min,
                max,
                actual,
            } => write!(
                f,
                "The setting '{setting}' takes {min} to {max}, not {actual}."
            ),
            Self::MetaTooManyKeys { max, actual } => write!(
                f,
                "A resource can have at most {max} metadata keys; this change would leave {actual}."
            ),
            Self::MetaNameRequired => {
                f.write_str("The 'name' key is required when creating metadata.")
            }
            Self::CommentTooLong { max, actual } => write!(
                f,
                "A change set's comment may be {max} characters long; this one has {actual}."
            ),
            Self::ChangeSetNotRevertible(why) => f.write_str(why),
            Self::MetadataNotAnObject => {
                f.write_str("Metadata must be a JSON object of keys and values.")
            }
            Self::PatchMalformed(detail) => {
                write!(f, "The JSON Patch document is malformed: {detail}")
            }
            Self::PatchFailed(detail) => {
                write!(
                    f,
                    "The JSON Patch could not be applied, so nothing changed: {detail}"
                )
            }
            Self::PatchTestFailed(detail) => {
                write!(
                    f,
                    "A JSON Patch 'test' operation failed, so nothing changed: {detail}"
                )
            }
            Self::PatchTooLong { max, actual } => write!(
                f,
                "A JSON Patch can hold at most {max} operations; this one has {actual}. Send \
                 it in parts, or replace the dictionary with PUT."
            ),
            Self::MetaNameInvalid(why) => write!(
                f,
                "The 'name' key names the resource, so it must be text that is a valid name: {why}"
            ),
            Self::MetaNameNotText { actual } => write!(
                f,
                "The 'name' key names the resource, so it must be a string, not a {actual}."
            ),
            Self::MetaNameNotAnItem => f.write_str(
                "'name' is the resource's name in Sitebook, not a metadata item; rename the \
                 resource through Sitebook's own API.",
            ),
            Self::MetaValueNotText { key } => {
                write!(f, "The value of '{key}' must be a string.")
            }
            Self::SdsIdInvalid { what, why } => {
                write!(f, "The {what} id is not valid: {why}.")
            }
            Self::SdsBodyInvalid(why) => f.write_str(why),
            Self::UsernameInvalid => f.write_str(
                "A username is 1 to 64 characters: letters, digits, '.', '_', '-' or '@'.",
            ),
            Self::PasswordTooShort { min } => {
                write!(f, "A password must have at least {min} characters.")
            }
            Self::PasswordTooLong { max } => {
                write!(f, "A password can have at most {max} characters.")
            }
            Self::RoleUnknown(role) => write!(
                f,
                "'{role}' is not a role: use 'admin', 'manager' or 'staff'."
            ),
            Self::SitesOnlyForManagers => f.write_str(
                "Only a manager can be limited to sites: an admin writes everywhere and staff only read.",
            ),
            Self::TokenLifetimeInvalid { max_days } => write!(
                f,
                "A token expires after a whole number of days from 1 to {max_days}; leave it \
                 empty for a token that does not expire."
            ),
            Self::ColourInvalid(value) => write!(
                f,
                "'{value}' is not a colour: use '#' and six hex digits, such as '#1e90ff'."
            ),
            Self::DescriptionTooLong { max, actual } => write!(
                f,
                "A description can be at most {max} characters; this one has {actual}."
            ),
            Self::AppliesToEmpty => f.write_str(
                "A tag must apply to at least one of: site, user, wan, account, datahub.stream.",
            ),
            Self::CorrelationTypeUnknown(value) => write!(
                f,
                "'{value}' is not a type a tag can apply to: use site, user, wan, account or \
                 datahub.stream."
            ),
            Self::AllowedValuesEmpty => f.write_str(
                "A list of allowed values cannot be empty; send null to allow any value.",
            ),
            Self::AllowedValueRepeated(value) => {
                write!(f, "The allowed value '{value}' is listed twice.")
            }
            Self::TooManyAllowedValues { max, actual } => write!(
                f,
                "A tag can have at most {max} allowed values; this list has {actual}."
            ),
            Self::TagValueEmpty => f.write_str("A tag value cannot be empty."),
            Self::TagValueTooLong { max, actual } => write!(
                f,
                "A tag value can be at most {max} characters; this one has {actual}."
            ),
            Self::TagValueHasControlCharacter => {
                f.write_str("A tag value cannot contain control characters.")
            }
            Self::TagValueNotAllowed {
                tag,
                value,
                allowed,
            } => write!(
                f,
                "'{value}' is not an allowed value of the tag '{tag}'; choose one of: {}.",
                allowed.join(", ")
            ),
            Self::TagNotApplicable {
                tag,
                correlation_type,
                applies_to,
            } => write!(
                f,
                "The tag '{tag}' does not apply to a {correlation_type}; it applies to: {}.",
                applies_to.join(", ")
            ),
            Self::TagValueRequired { tag, allowed } => write!(
                f,
                "The tag '{tag}' takes one of the values {}, so it cannot be attached without \
                 one; set its value in Sitebook.",
                allowed.join(", ")
            ),
            Self::TagUnknown(tag) => write!(
                f,
                "There is no tag named '{tag}', and new tag names are not defined on first use \
                 here; an admin must define it first."
            ),
            Self::TooManyTags { max, actual } => write!(
                f,
                "A resource can carry at most {max} tags; this list has {actual}."
            ),
            Self::TooManyAutoDefinedTags {
                max,
                per_hour: false,
            } => write!(
                f,
                "This tenant already has {max} tags defined on first use by Data Hub clients, \
                 the most it may; ask an admin to define the new tags (or to merge or delete \
                 unused ones), then send the tags again."
            ),
            Self::TooManyAutoDefinedTags {
                max,
                per_hour: true,
            } => write!(
                f,
                "A client may define at most {max} new tags on first use in an hour, and this \
                 list would pass that; send it again later, or ask an admin to define the tags."
            ),
            Self::FileKindUnknown(kind) => write!(
                f,
                "'{kind}' is not a kind of file: use document, image, diagram or note."
            ),
            Self::FileEmpty => f.write_str("The file is empty."),
            Self::FileTypeNotAccepted(detected) => write!(
                f,
                "The file's content is {detected}, which Sitebook does not keep. It accepts \
                 photos (PNG, JPEG, GIF, WebP, AVIF, HEIF, BMP, TIFF), SVG diagrams, PDF, \
                 Office and OpenDocument files, ZIP archives and plain text."
            ),
            Self::NoteNotText => f.write_str("Only a note's text can be edited in place."),
            Self::SearchInvalid { position, message } => write!(
                f,
                "The search cannot be read at character {position}: {message}."
            ),
            Self::SearchTooManyWildcards { position, max } => write!(
                f,
                "The term at character {position} has too many wildcards: a term can hold at \
                 most {max} '*'."
            ),
            Self::SearchTooSlow { limit_ms } => {
                let limit = if limit_ms % 1000 == 0 {
                    format!("{} seconds", limit_ms / 1000)
                } else {
                    format!("{limit_ms} ms")
                };
                write!(
                    f,
                    "The search was stopped after {limit}, the longest a search may run; \
                     narrow it with more specific terms and fewer or shorter patterns, and try \
                     again."
                )
            }
            Self::NovaKeyInvalid(key) => write!(
                f,
                "Invalid input for field/attribute metadata. Value: {key}. Keys are 1 to 255 \
                 letters, digits, '-', '_', ':', '.' or spaces, and 'name' is the name, not an \
                 item."
            ),
            Self::NovaNameFilterInvalid { pattern, reason } => write!(
                f,
                "Invalid input for query parameters name. Value: {pattern}. It is not a regular \
                 expression this server runs: {reason}"
            ),
            Self::NovaValueTooLong { key, max, actual } => write!(
                f,
                "Invalid input for field/attribute {key}. The value has {actual} characters; \
                 at most {max} are allowed."
            ),
            Self::AggregateNameInvalid(name) => write!(
                f,
                "An invalid 'name' value was provided ('{name}'). The name must be: 1 to 255 \
                 printable characters. Can not start or end with whitespace."
            ),
            Self::AvailabilityZoneInvalid(zone) => write!(
                f,
                "An invalid 'availability_zone' value was provided ('{zone}'). It must be 1 to \
                 255 printable characters without ':', not starting or ending with whitespace."
            ),
            Self::AvailabilityZoneRequired => f.write_str(
                "An aggregate does not support an empty named availability zone; set another \
                 zone instead.",
            ),
            Self::HostNameInvalid(host) => write!(
                f,
                "Invalid input for field/attribute host. Value: {host}. A host is 1 to 255 \
                 letters, digits, '-', '.' or '_'."
            ),
            Self::AggregateIdInvalid(_) => {
                f.write_str("Invalid input received: id must be an integer")
            }
            Self::AggregateNotEmpty => f.write_str(
                "Cannot remove host from aggregate. Reason: Host aggregate is not empty.",
            ),
        }
    }
}

impl std::error::Error for ValidationError {}

/// Which clash a conflict is, for clients that act on the difference (pick another name, fix
/// the type, clear the tag's values first, make another admin); people read the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clash {
    /// A site, tag or user of that name exists already.
    NameTaken,
    /// Something with that id exists already.
    IdTaken,
    /// The id names a resource of another type than the request says.
    TypeMismatch,
    /// Resources carry values of the tag that the change would no longer allow.
    TagInUse,
    /// The change would leave no active admin.
    LastAdmin,
    /// The new parent is the resource itself or under it.
    ParentLoop,
    /// The new parent already has the most ancestors a parent may have.
    TooDeep,
    /// Any other clash with the stored state.
    Other,
}

impl Clash {
    pub const ALL: [Self; 8] = [
        Self::NameTaken,
        Self::IdTaken,
        Self::TypeMismatch,
        Self::TagInUse,
        Self::LastAdmin,
        Self::ParentLoop,
        Self::TooDeep,
        Self::Other,
    ];

    /// A short, stable identifier for clients to branch on.
    pub fn code(self) -> &'static str {
        match self {
            Self::NameTaken => "name_taken",
            Self::IdTaken => "id_taken",
            Self::TypeMismatch => "type_mismatch",
            Self::TagInUse => "tag_in_use",
            Self::LastAdmin => "last_admin",
            Self::ParentLoop => "parent_loop",
            Self::TooDeep => "parent_too_deep",
            Self::Other => "conflict",
        }
    }
}

/// Every way a core operation can fail. Faces map each variant to their own status and body.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("No {what} has the id '{id}'.")]
    NotFound { what: &'static str, id: String },
    #[error("{1}")]
    Conflict(Clash, String),
    /// The caller's copy is stale: `current` is the version it would have to match now.
    #[error(
        "The {what} has changed since you read it (it is now at version {current}); read it again and retry."
    )]
    PreconditionFailed { what: &'static str, current: i64 },
    /// No credentials, or credentials that name nobody (unknown, expired or revoked).
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// Known caller, but the role or site limits do not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// Refused for now, not for good: the same request may succeed after `retry_after`.
    #[error("{}", .why.message(*.retry_after))]
    TryLater {
        why: Later,
        retry_after: std::time::Duration,
    },
    /// A fault below the domain (database, disk). Its text is for logs, never for clients.
    #[error("storage failure: {0}")]
    Storage(String),
    /// The file system holding the data has no space left, so nothing was written. Unlike
    /// [`CoreError::Storage`] this is the operator's to fix and the client's to retry once they
    /// have, so it is answered as such (507), not as a fault. The text is for logs.
    #[error(
        "The server has no storage space left, so nothing was written; try again once space has been freed."
    )]
    StorageFull(String),
    /// An fsync failed earlier, so no write is acknowledged until the server is restarted
    /// (see `durability`). The text is the failure, for logs and the health endpoint.
    #[error(
        "The server has stopped accepting writes because its disk failed to confirm one; reads still work. An administrator must check the disk and restart the server."
    )]
    WritesHalted(String),
}

impl CoreError {
    /// A failed file operation: [`CoreError::StorageFull`] when the disk or a quota is full,
    /// else a [`CoreError::Storage`] fault.
    pub fn io(context: &str, e: &std::io::Error) -> Self {
        let detail = format!("{context}: {e}");
        if is_out_of_space(e) {
            Self::StorageFull(detail)
        } else {
            Self::Storage(detail)
        }
    }
}

/// Whether an I/O error says the file system (or the user's quota on it) is full: `ENOSPC` and
/// `EDQUOT`, which std names `StorageFull` and `QuotaExceeded`.
pub fn is_out_of_space(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

/// Why a request must wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Later {
    /// Too many sign-in attempts for the account or from the address (password guessing).
    TooManySignIns,
    /// Every password check the server allows at once is running.
    SignInsBusy,
    /// Every connection searches run on is busy with another search.
    SearchesBusy,
    /// The server is reading as many request bodies as it allows at once.
    BodiesBusy,
}

impl Later {
    pub const ALL: [Self; 4] = [
        Self::TooManySignIns,
        Self::SignInsBusy,
        Self::SearchesBusy,
        Self::BodiesBusy,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::TooManySignIns => "too_many_sign_ins",
            Self::SignInsBusy => "busy",
            Self::SearchesBusy => "search_busy",
            Self::BodiesBusy => "busy",
        }
    }

    fn message(self, wait: std::time::Duration) -> String {
        match self {
            Self::TooManySignIns => format!(
                "Too many sign-in attempts; try again in {} minutes.",
                wait.as_secs().div_ceil(60).max(1)
            ),
            Self::SignInsBusy => format!(
                "The server is busy checking other sign-ins; try again in {} seconds.",
                wait.as_secs().max(1)
            ),
            Self::SearchesBusy => format!(
                "The server is busy running other searches; try again in {} seconds.",
                wait.as_secs().max(1)
            ),
            Self::BodiesBusy => format!(
                "The server is busy receiving other requests; try again in {} seconds.",
                wait.as_secs().max(1)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The variants `code` matches, read from this file's source: `code` has no wildcard arm, so
    /// it names every variant, and the examples must name the same ones.
    #[test]
    fn every_variant_has_an_example() {
        let source = include_str!("error.rs");
        let start = source.find("pub fn code(&self)").unwrap();
        let end = start + source[start..].find("\n    }\n").unwrap();
        let mut matched: Vec<&str> = source[start..end]
            .split("Self::")
            .skip(1)
            .map(|arm| arm.split(|c: char| !c.is_alphanumeric()).next().unwrap())
            .collect();
        matched.sort_unstable();
        matched.dedup();
        let mut examples: Vec<String> = ValidationError::examples()
            .iter()
            .map(|e| {
                let debug = format!("{e:?}");
                debug
                    .split(|c: char| !c.is_alphanumeric())
                    .next()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        examples.sort_unstable();
        let total = examples.len();
        examples.dedup();
        assert_eq!(examples.len(), total, "one example per variant");
        assert_eq!(examples, matched);
    }
}
