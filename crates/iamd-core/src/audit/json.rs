//! The JSON text of an API call's record, written straight into one buffer: member names are
//! constants, and text is escaped in runs (a run of bytes needing no escape is copied at
//! once). Every read writes a record, and serde's serializer cost about as much as the rest
//! of the read. The text is byte for byte what `serde_json` writes for the typed record (a
//! test holds the two together): same member order, same escapes, same numbers.

use serde_json::Value;

use super::{
    is_recorded, Parameters, Recorded, ResponseElements, SessionContext, UserIdentity, HIDDEN,
};

/// Whether a byte of `word` is a control character, `"` or `\\` (bit tricks: a byte below
/// `n` borrows into its high bit when `n` is subtracted from every byte).
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |w: u64, n: u64| w.wrapping_sub(ONES * n) & !w & HIGH;
    (below(word, 0x20) | below(word ^ (ONES * 0x22), 1) | below(word ^ (ONES * 0x5c), 1)) != 0
}

/// Whether a byte of `bytes` needs an escape: eight bytes at a time, without a branch per
/// word (most text needs none, and is then copied at once).
#[inline]
fn any_needs_escape(bytes: &[u8]) -> bool {
    let word = |w: &[u8]| u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
    let Some(last) = bytes.len().checked_sub(8) else {
        return bytes.iter().any(|&b| b < 0x20 || b == b'"' || b == b'\\');
    };
    let mut found = false;
    for w in bytes.chunks_exact(8) {
        found |= needs_escape(word(w));
    }
    // The last eight bytes (again, in part): the bytes after the last whole word.
    found | needs_escape(word(bytes.get(last..).unwrap_or_default()))
}

/// A JSON text being written: a `String` from the start (no UTF-8 check of the whole text at
/// the end; escapes split the text at ASCII bytes only).
pub(super) struct Out(String);

impl Out {
    pub fn with_capacity(n: usize) -> Out {
        Out(String::with_capacity(n))
    }

    /// Text known to need no escape (member names, punctuation).
    fn raw(&mut self, text: &str) {
        self.0.push_str(text);
    }

    /// A JSON string, escaped as `serde_json` escapes it: `"`, `\` and control characters
    /// (`\b \t \n \f \r`, else `\u00XX` in lowercase hex); nothing else.
    pub(super) fn text(&mut self, text: &str) {
        self.0.push('"');
        self.escaped(text);
        self.0.push('"');
    }

    #[inline]
    fn escaped(&mut self, text: &str) {
        if !any_needs_escape(text.as_bytes()) {
            self.0.push_str(text);
            return;
        }
        self.escaped_slowly(text);
    }

    fn escaped_slowly(&mut self, text: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let bytes = text.as_bytes();
        let mut start = 0;
        let mut i = 0;
        while let Some(&byte) = bytes.get(i) {
            // Eight bytes at a time while none needs an escape (most text needs none).
            if let Some(word) = bytes
                .get(i..i + 8)
                .and_then(|w| <[u8; 8]>::try_from(w).ok())
            {
                if !needs_escape(u64::from_le_bytes(word)) {
                    i += 8;
                    continue;
                }
            }
            i += 1;
            if byte >= 0x20 && byte != b'"' && byte != b'\\' {
                continue;
            }
            // `byte` is ASCII: the text splits at character boundaries around it.
            self.0.push_str(text.get(start..i - 1).unwrap_or_default());
            start = i;
            let short = match byte {
                b'"' => '"',
                b'\\' => '\\',
                0x08 => 'b',
                0x09 => 't',
                0x0a => 'n',
                0x0c => 'f',
                0x0d => 'r',
                _ => '\0',
            };
            self.0.push('\\');
            if short != '\0' {
                self.0.push(short);
            } else {
                self.0.push_str("u00");
                self.0.push(char::from(HEX[usize::from(byte >> 4)]));
                self.0.push(char::from(HEX[usize::from(byte & 0x0f)]));
            }
        }
        self.0.push_str(text.get(start..).unwrap_or_default());
    }

    /// `,"name":` (or without the comma for the first member).
    fn name(&mut self, name: &str) {
        self.raw(name);
    }

    /// A member of text: `name` is the constant `,"member":` prefix.
    fn member(&mut self, name: &str, value: &str) {
        self.name(name);
        self.text(value);
    }

    /// A member of text iamd made itself, known to need no escape: an operation's or
    /// service's name from iamd's tables, a time or id it wrote.
    fn trusted(&mut self, name: &str, value: &str) {
        self.name(name);
        self.0.push('"');
        self.raw(value);
        self.0.push('"');
    }

    /// A text member left out when `value` is `None`.
    fn optional(&mut self, name: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.member(name, value);
        }
    }

    /// Any serializable value, as `serde_json` writes it.
    fn serde<T: serde::Serialize + ?Sized>(&mut self, value: &T) {
        // A value that cannot be serialized (none here) is
        // written as `null` so the text stays JSON.
        if let Ok(text) = serde_json::to_string(value) {
            self.0.push_str(&text);
        } else {
            self.raw("null");
        }
    }

    /// A camelCase member name (`UserName` -> `"userName"`), followed by `:`.
    fn camel_name(&mut self, key: &str) {
        match key.as_bytes().first() {
            // A model member's name: ASCII letters, nothing to escape.
            Some(first) if first.is_ascii() && !any_needs_escape(key.as_bytes()) => {
                self.0.push('"');
                self.0.push(char::from(first.to_ascii_lowercase()));
                self.0.push_str(key.get(1..).unwrap_or_default());
                self.0.push('"');
            }
            _ => self.text(&super::camel_case(key)),
        }
        self.0.push(':');
    }

    /// [`Recorded`] of `value`: allowed parameters as given, every other one [`HIDDEN`].
    fn recorded(&mut self, value: &Value) {
        match value {
            Value::Object(map) => {
                self.0.push('{');
                for (i, (key, value)) in map.iter().enumerate() {
                    if i > 0 {
                        self.0.push(',');
                    }
                    self.camel_name(key);
                    if is_recorded(key) {
                        self.recorded(value);
                    } else {
                        self.text(HIDDEN);
                    }
                }
                self.0.push('}');
            }
            Value::Array(items) => {
                self.0.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.0.push(',');
                    }
                    self.recorded(item);
                }
                self.0.push(']');
            }
            Value::String(text) => self.text(text),
            Value::Null => self.raw("null"),
            Value::Bool(true) => self.raw("true"),
            Value::Bool(false) => self.raw("false"),
            Value::Number(n) => self.serde(n),
        }
    }

    pub(super) fn user_identity(&mut self, u: &UserIdentity<'_>) {
        self.member("{\"type\":", u.kind);
        self.member(",\"principalId\":", u.principal_id);
        self.member(",\"arn\":", u.arn);
        self.member(",\"accountId\":", u.account_id);
        self.member(",\"accessKeyId\":", u.access_key_id);
        self.optional(",\"userName\":", u.user_name);
        self.optional(",\"identityProvider\":", u.identity_provider);
        if let Some(context) = &u.session_context {
            self.name(",\"sessionContext\":");
            self.session_context(context);
        }
        self.raw("}");
    }

    fn session_context(&mut self, c: &SessionContext<'_>) {
        self.raw("{");
        if let Some(issuer) = &c.session_issuer {
            self.member("\"sessionIssuer\":{\"type\":", issuer.kind);
            self.optional(",\"principalId\":", issuer.principal_id);
            self.member(",\"arn\":", &issuer.arn);
            self.member(",\"accountId\":", issuer.account_id);
            self.optional(",\"userName\":", issuer.user_name);
            self.raw("},");
        }
        self.raw("\"attributes\":{");
        let a = &c.attributes;
        match (&a.creation_date, a.mfa_authenticated) {
            (Some(date), mfa) => {
                self.member("\"creationDate\":", date);
                self.optional(",\"mfaAuthenticated\":", mfa);
            }
            (None, mfa) => self.optional("\"mfaAuthenticated\":", mfa),
        }
        self.raw("}}");
    }

    /// JSON text written elsewhere (a [`super::identity`] text).
    pub(super) fn extend(&mut self, text: &str) {
        self.0.push_str(text);
    }

    pub(super) fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// The parts of an API call's record (see `ApiCallRecord` in the tests for the member order).
pub(super) struct Record<'a> {
    pub caller: &'a crate::authz::Caller,
    pub account_id: &'a str,
    pub event_time: &'a str,
    pub event_source: &'a str,
    pub event_name: &'a str,
    pub aws_region: &'a str,
    pub source_ip_address: &'a str,
    pub user_agent: &'a str,
    pub error_code: Option<&'a str>,
    pub error_message: Option<&'a str>,
    pub request_parameters: &'a Parameters<'a>,
    pub response_elements: Option<&'a Value>,
    pub request_id: &'a str,
    pub event_id: &'a str,
    pub read_only: bool,
    pub recipient_account_id: &'a str,
}

/// The JSON text of `r`, in CloudTrail's member order.
pub(super) fn write(r: &Record<'_>) -> String {
    // A read's record is 700-900 bytes: one allocation, not a second one to grow.
    let mut text = String::with_capacity(1024);
    write_into(&mut text, r);
    text
}

/// [`write`], appended to `text`.
pub(super) fn write_into(text: &mut String, r: &Record<'_>) {
    let mut out = Out(std::mem::take(text));
    out.raw("{\"eventVersion\":\"1.11\",\"userIdentity\":");
    super::identity::write(&mut out, r.caller, r.account_id);
    // Text iamd makes itself (a time it wrote, names of its own tables, ids it drew): known
    // to need no escape.
    out.trusted(",\"eventTime\":", r.event_time);
    out.trusted(",\"eventSource\":", r.event_source);
    out.trusted(",\"eventName\":", r.event_name);
    out.member(",\"awsRegion\":", r.aws_region);
    out.member(",\"sourceIPAddress\":", r.source_ip_address);
    if !r.user_agent.is_empty() {
        out.member(",\"userAgent\":", r.user_agent);
    }
    out.optional(",\"errorCode\":", r.error_code);
    out.optional(",\"errorMessage\":", r.error_message);
    out.name(",\"requestParameters\":");
    match r.request_parameters {
        Parameters::Recorded(Recorded(input)) => out.recorded(input),
        Parameters::Omitted(marker) => out.serde(marker),
    }
    out.name(",\"responseElements\":");
    match r.response_elements {
        Some(response) => out.serde(&ResponseElements(response)),
        None => out.raw("null"),
    }
    out.member(",\"requestID\":", r.request_id);
    out.trusted(",\"eventID\":", r.event_id);
    out.raw(if r.read_only {
        ",\"readOnly\":true"
    } else {
        ",\"readOnly\":false"
    });
    out.raw(",\"eventType\":\"AwsApiCall\",\"managementEvent\":true");
    out.member(",\"recipientAccountId\":", r.recipient_account_id);
    out.raw(",\"eventCategory\":\"Management\"}");
    *text = out.into_string();
}
