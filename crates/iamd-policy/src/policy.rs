//! A policy document, parsed and validated as AWS does and compiled for fast evaluation.

use serde_json::{Map, Value};

use crate::arn::ArnPattern;
use crate::condition::{Condition, Operator};
use crate::error::{messages, Place, PolicyError};
use crate::lead::Lead;
use crate::pattern::Pattern;
use crate::principal::PrincipalEntry;

/// Largest document the engine parses. AWS's per-entity quotas (6,144 characters for a
/// managed policy, ...) are smaller and are checked by the service; AWS's own managed
/// policies are not bound by them (AWSSupportServiceRolePolicy, pretty-printed, is about
/// 190 kB).
pub const MAX_DOCUMENT_BYTES: usize = 262_144;

/// Where a policy is used: it decides whether `Principal` is required or forbidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    /// Identity-based policies, permissions boundaries and session policies: no `Principal`.
    Identity,
    /// Resource-based policies and role trust policies: `Principal` or `NotPrincipal` required.
    Resource,
}

/// The policy language version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V2012_10_17,
    V2008_10_17,
    /// No `Version` element: treated as 2008-10-17 (no policy variables).
    Absent,
}

impl Version {
    fn supports_variables(self) -> bool {
        self == Version::V2012_10_17
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Action` (or `NotAction`) patterns, lowercase.
#[derive(Debug, Clone)]
pub struct ActionSet {
    pub negated: bool,
    pub texts: Vec<String>,
    patterns: Vec<Pattern>,
    /// Bloom bits of the services the patterns can match (see `service_bit`); `u64::MAX`
    /// when any service can match (`NotAction`, wildcards in the service part).
    services: u64,
}

/// `Resource` (or `NotResource`) patterns.
#[derive(Debug, Clone)]
pub struct ResourceSet {
    pub negated: bool,
    pub texts: Vec<String>,
    patterns: Vec<ArnPattern>,
    /// For a single `Resource` ARN: the quick reject of its resource part (see `Lead`);
    /// else one that admits everything.
    lead: Lead,
}

/// `Principal` (or `NotPrincipal`) entries.
#[derive(Debug, Clone)]
pub struct PrincipalSet {
    pub negated: bool,
    pub entries: Vec<PrincipalEntry>,
}

/// One compiled statement.
#[derive(Debug, Clone)]
pub struct Statement {
    /// Position in the policy, from 0.
    pub index: usize,
    pub sid: Option<String>,
    pub effect: Effect,
    pub actions: ActionSet,
    /// `None` only in resource-based policies that leave the resource implicit.
    pub resources: Option<ResourceSet>,
    pub principals: Option<PrincipalSet>,
    pub conditions: Vec<Condition>,
}

impl Statement {
    /// `Sid X` or `#N` (1-based) for people.
    pub fn label(&self) -> String {
        match &self.sid {
            Some(sid) if !sid.is_empty() => sid.clone(),
            _ => format!("#{}", self.index + 1),
        }
    }

    /// Whether the action matches `Action` / `NotAction`; `action` must be lowercase.
    pub fn matches_action(&self, action: &str) -> bool {
        self.matches_action_fast(action, u64::MAX)
    }

    /// `matches_action` with the request's service bit: statements that name only other
    /// services are rejected without looking at their patterns.
    #[inline]
    pub(crate) fn matches_action_fast(&self, action: &str, service_bit: u64) -> bool {
        if !self.may_match_service(service_bit) {
            return false;
        }
        // Action patterns have no policy variables: no context is needed.
        let hit = self
            .actions
            .patterns
            .iter()
            .any(|p| p.is_match(action, &crate::context::EMPTY));
        hit != self.actions.negated
    }

    /// `false` when the statement's actions certainly name other services than the one of
    /// `service_bit` (see `context::service_bit`).
    #[inline]
    pub(crate) fn may_match_service(&self, service_bit: u64) -> bool {
        self.actions.services & service_bit != 0
    }

    /// Whether the resource matches `Resource` / `NotResource`. A policy variable without a
    /// value makes its entry match nothing (so `NotResource` with it excludes nothing).
    pub(crate) fn matches_resource(
        &self,
        resource: &str,
        context: &crate::context::Context,
    ) -> bool {
        self.matches_resource_parsed(crate::arn::Arn::parse(resource).as_ref(), context)
    }

    /// `false` when the resource certainly does not match: the first, cheap check of a
    /// statement, as most statements that a request visits name other resources.
    #[inline]
    pub(crate) fn may_match_resource(&self, resource: Option<&crate::arn::Arn<'_>>) -> bool {
        match (&self.resources, resource) {
            (Some(set), Some(arn)) => set.lead.admits(arn.resource.as_bytes()),
            _ => true,
        }
    }

    /// `matches_resource` with the resource ARN parsed once per request (`None`: `*` or
    /// another non-ARN resource, which only `Resource: "*"` matches).
    #[inline]
    pub(crate) fn matches_resource_parsed(
        &self,
        resource: Option<&crate::arn::Arn<'_>>,
        context: &crate::context::Context,
    ) -> bool {
        let Some(set) = &self.resources else {
            return true;
        };
        let hit = set
            .patterns
            .iter()
            .any(|p| p.is_match_parsed(resource, context));
        hit != set.negated
    }
}

/// A parsed, validated and compiled policy document. `Send + Sync`; share it in an `Arc`.
#[derive(Debug, Clone)]
pub struct Policy {
    pub version: Version,
    pub id: Option<String>,
    statements: Vec<Statement>,
    /// Which statements may concern a service, so a decision visits only those.
    index: ServiceIndex,
}

/// Statement positions by (effect, service bit), in document order, in one flat array: a
/// decision's deny pass and allow pass each read one slice. A statement that may concern any
/// service (`NotAction`, wildcard services) is listed under every bit.
#[derive(Debug, Clone, Default)]
struct ServiceIndex {
    positions: Vec<u32>,
    /// The list of key `k` (`effect * 64 + bit`) is `positions[starts[k]..starts[k + 1]]`.
    starts: Vec<u32>,
}

impl ServiceIndex {
    fn build(statements: &[Statement]) -> ServiceIndex {
        let mut index = ServiceIndex::default();
        // In discriminant order, so that `list` finds key `effect * 64 + bit`.
        for effect in [Effect::Allow, Effect::Deny] {
            for bit in 0..64 {
                index.starts.push(index.positions.len() as u32);
                let listed = statements
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.effect == effect && s.may_match_service(1 << bit));
                index.positions.extend(listed.map(|(i, _)| i as u32));
            }
        }
        index.starts.push(index.positions.len() as u32);
        index
    }

    fn list(&self, effect: Effect, bit: usize) -> &[u32] {
        let key = effect as usize * 64 + bit;
        let (Some(&start), Some(&end)) = (self.starts.get(key), self.starts.get(key + 1)) else {
            return &[];
        };
        self.positions
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }
}

impl Policy {
    /// The statements, in document order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// The same policy with other statements (its service index rebuilt).
    pub fn with_statements(mut self, statements: Vec<Statement>) -> Policy {
        self.statements = statements;
        self.index = ServiceIndex::build(&self.statements);
        self
    }

    /// The statements of `effect` that may concern the service of `service_bit`, in
    /// document order. (A request whose action has no service has every bit set; only
    /// statements listed under every bit can match it, so bit 0 serves.)
    pub(crate) fn candidates(
        &self,
        effect: Effect,
        service_bit: u64,
    ) -> impl Iterator<Item = &Statement> + '_ {
        let bit = service_bit.trailing_zeros() as usize;
        self.index
            .list(effect, bit)
            .iter()
            .filter_map(|&i| self.statements.get(i as usize))
    }
}

impl Policy {
    /// Parses `text` as AWS does, with AWS's `MalformedPolicyDocument` messages.
    pub fn parse(text: &str, kind: PolicyKind) -> Result<Policy, PolicyError> {
        Policy::parse_with(text, kind, false)
    }

    /// Parses a managed policy's document (CreatePolicy, CreatePolicyVersion): an identity
    /// policy that must also be of version 2012-10-17.
    pub fn parse_managed(text: &str) -> Result<Policy, PolicyError> {
        Policy::parse_with(text, PolicyKind::Identity, true)
    }

    fn parse_with(text: &str, kind: PolicyKind, managed: bool) -> Result<Policy, PolicyError> {
        let root = Place::root();
        if text.len() > MAX_DOCUMENT_BYTES {
            let detail = format!(
                "{} bytes; the engine accepts {MAX_DOCUMENT_BYTES}",
                text.len()
            );
            return Err(PolicyError::new(messages::TOO_LARGE, &root, detail));
        }
        // Text that is not JSON: AWS answers a trust policy (CreateRole,
        // UpdateAssumeRolePolicy) "This policy contains invalid Json" and an identity
        // policy "Syntax errors in policy." (issues recorded by AWS users: CreateRole given
        // a file name; CreatePolicy given a trailing comma).
        let value: Value = serde_json::from_str(text).map_err(|e| {
            let message = match kind {
                PolicyKind::Resource => messages::INVALID_JSON,
                PolicyKind::Identity => messages::SYNTAX,
            };
            PolicyError::new(message, &root, e.to_string())
        })?;
        grammar::check(&value, kind, managed)?;
        Policy::compile(&value, kind)
    }

    /// Checks and compiles an already parsed JSON document.
    pub fn from_json(value: &Value, kind: PolicyKind) -> Result<Policy, PolicyError> {
        grammar::check(value, kind, false)?;
        Policy::compile(value, kind)
    }

    /// Compiles a document that passed `grammar::check`.
    fn compile(value: &Value, kind: PolicyKind) -> Result<Policy, PolicyError> {
        let root = Place::root();
        let Value::Object(doc) = value else {
            return Err(syntax(&root, "the document must be a JSON object"));
        };
        let version = match doc.get("Version").and_then(Value::as_str) {
            None => Version::Absent,
            Some("2012-10-17") => Version::V2012_10_17,
            Some(_) => Version::V2008_10_17,
        };
        let id = doc.get("Id").and_then(Value::as_str).map(str::to_string);
        let statements: Vec<&Value> = match doc.get("Statement") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(item) => vec![item],
            None => Vec::new(),
        };
        let compiled = statements
            .into_iter()
            .enumerate()
            .map(|(index, item)| parse_statement(item, index, version, kind))
            .collect::<Result<Vec<_>, _>>()?;
        let index = ServiceIndex::build(&compiled);
        Ok(Policy {
            version,
            id,
            statements: compiled,
            index,
        })
    }
}

fn syntax(place: &Place, detail: impl Into<String>) -> PolicyError {
    PolicyError::new(messages::SYNTAX, place, detail)
}

/// A JSON value as plain text for messages.
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn parse_statement(
    item: &Value,
    index: usize,
    version: Version,
    kind: PolicyKind,
) -> Result<Statement, PolicyError> {
    let mut place = Place::root().child(format!("Statement[{index}]"));
    let Value::Object(st) = item else {
        return Err(syntax(&place, "a statement must be a JSON object"));
    };
    let sid = match st.get("Sid") {
        None => None,
        Some(Value::String(s)) => {
            place = Place::root().child(format!("Statement[{index}] (Sid {s})"));
            if kind == PolicyKind::Identity && !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
                let detail = format!("`{s}` contains characters other than letters and digits");
                return Err(PolicyError::new(
                    messages::SID_ALNUM,
                    &place.child("Sid"),
                    detail,
                ));
            }
            Some(s.clone())
        }
        Some(_) => return Err(syntax(&place.child("Sid"), "`Sid` must be a string")),
    };
    let effect = match st.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(other) => {
            let detail = format!("`{}` is neither `Allow` nor `Deny`", plain(other));
            return Err(syntax(&place.child("Effect"), detail));
        }
        None => return Err(syntax(&place, "the statement has no `Effect`")),
    };
    let variables = version.supports_variables();
    let actions = parse_actions(st, &place)?;
    let resources = parse_resources(st, &place, variables, kind)?;
    let principals = parse_principals(st, &place, kind, effect)?;
    let conditions = match st.get("Condition") {
        None => Vec::new(),
        Some(block) => parse_conditions(block, &place.child("Condition"), variables)?,
    };
    Ok(Statement {
        index,
        sid,
        effect,
        actions,
        resources,
        principals,
        conditions,
    })
}

/// Either `Name` or `NotName` (not both), as a list of strings, with the key used.
fn pair(
    st: &Map<String, Value>,
    name: &str,
    place: &Place,
) -> Result<Option<(bool, String, Vec<String>)>, PolicyError> {
    let not_name = format!("Not{name}");
    let (negated, key, value) = match (st.get(name), st.get(&not_name)) {
        (Some(_), Some(_)) => {
            let detail = format!("a statement cannot have both `{name}` and `{not_name}`");
            return Err(syntax(place, detail));
        }
        (Some(v), None) => (false, name.to_string(), v),
        (None, Some(v)) => (true, not_name, v),
        (None, None) => return Ok(None),
    };
    let list = string_list(value).ok_or_else(|| {
        syntax(
            &place.child(&key),
            format!("`{key}` must be a string or an array of strings"),
        )
    })?;
    Ok(Some((negated, key, list)))
}

fn string_list(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(s) => Some(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => None,
    }
}

fn parse_actions(st: &Map<String, Value>, place: &Place) -> Result<ActionSet, PolicyError> {
    let Some((negated, key, texts)) = pair(st, "Action", place)? else {
        return Err(PolicyError::new(
            messages::MISSING_ACTIONS,
            place,
            "no `Action` or `NotAction`",
        ));
    };
    if texts.is_empty() {
        let detail = format!("`{key}` is empty");
        return Err(PolicyError::new(
            messages::MISSING_ACTIONS,
            &place.child(&key),
            detail,
        ));
    }
    let mut patterns = Vec::with_capacity(texts.len());
    for text in &texts {
        patterns.push(Pattern::compile(&text.to_ascii_lowercase(), true, false));
    }
    let services = if negated {
        u64::MAX
    } else {
        texts.iter().fold(0, |bits, text| bits | service_bits(text))
    };
    Ok(ActionSet {
        negated,
        texts,
        patterns,
        services,
    })
}

/// The service bit of an action pattern, or every bit when its service part has wildcards.
fn service_bits(text: &str) -> u64 {
    match text.split_once(':') {
        Some((service, _)) if !service.contains(['*', '?']) => {
            crate::context::service_bit(&service.to_ascii_lowercase())
        }
        _ => u64::MAX,
    }
}

fn parse_resources(
    st: &Map<String, Value>,
    place: &Place,
    variables: bool,
    kind: PolicyKind,
) -> Result<Option<ResourceSet>, PolicyError> {
    let Some((negated, key, texts)) = pair(st, "Resource", place)? else {
        if kind == PolicyKind::Resource {
            return Ok(None);
        }
        let detail = "no `Resource` or `NotResource`";
        return Err(PolicyError::new(messages::MISSING_RESOURCES, place, detail));
    };
    if texts.is_empty() {
        let detail = format!("`{key}` is empty");
        return Err(PolicyError::new(
            messages::MISSING_RESOURCES,
            &place.child(&key),
            detail,
        ));
    }
    let mut patterns = Vec::with_capacity(texts.len());
    for text in &texts {
        let pattern = ArnPattern::compile_resource(text, variables).ok_or_else(|| {
            let message = format!("Resource {text} must be in ARN format or \"*\".");
            PolicyError::new(message, &place.child(&key), format!("`{text}`"))
        })?;
        patterns.push(pattern);
    }
    let lead = match patterns.as_slice() {
        [single] if !negated => single.lead(),
        _ => Lead::default(),
    };
    Ok(Some(ResourceSet {
        negated,
        texts,
        patterns,
        lead,
    }))
}

fn parse_principals(
    st: &Map<String, Value>,
    place: &Place,
    kind: PolicyKind,
    effect: Effect,
) -> Result<Option<PrincipalSet>, PolicyError> {
    let (negated, key, value) = match (st.get("Principal"), st.get("NotPrincipal")) {
        (Some(_), Some(_)) => {
            let detail = "a statement cannot have both `Principal` and `NotPrincipal`";
            return Err(syntax(place, detail));
        }
        (Some(v), None) => (false, "Principal", v),
        (None, Some(v)) => (true, "NotPrincipal", v),
        (None, None) => {
            if kind == PolicyKind::Resource {
                return Err(PolicyError::new(
                    messages::MISSING_PRINCIPAL,
                    place,
                    "no `Principal`",
                ));
            }
            return Ok(None);
        }
    };
    let place = place.child(key);
    if kind == PolicyKind::Identity {
        let detail = format!("`{key}` belongs in resource-based policies only");
        return Err(PolicyError::new(messages::HAS_PRINCIPAL, &place, detail));
    }
    if negated && effect == Effect::Allow {
        return Err(syntax(
            &place,
            "`NotPrincipal` can be used only with `\"Effect\": \"Deny\"`",
        ));
    }
    let mut entries = Vec::new();
    match value {
        Value::String(s) if s == "*" => entries.push(PrincipalEntry::Anyone),
        Value::Object(map) => {
            for (kind_name, values) in map {
                let list = string_list(values).ok_or_else(|| {
                    syntax(
                        &place.child(kind_name),
                        "principals must be strings or arrays of strings",
                    )
                })?;
                for v in list {
                    let entry = PrincipalEntry::parse(kind_name, &v).ok_or_else(|| {
                        let message =
                            format!("Invalid principal in policy: \"{kind_name}\":\"{v}\"");
                        PolicyError::new(message, &place.child(kind_name), format!("`{v}`"))
                    })?;
                    entries.push(entry);
                }
            }
        }
        other => {
            let message = format!("Invalid principal in policy: {}", plain(other));
            return Err(PolicyError::new(
                message,
                &place,
                "use \"*\" or an object such as {\"AWS\": ...}",
            ));
        }
    }
    if entries.is_empty() {
        return Err(syntax(&place, "no principal is named"));
    }
    Ok(Some(PrincipalSet { negated, entries }))
}

fn parse_conditions(
    block: &Value,
    place: &Place,
    variables: bool,
) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(operators) = block else {
        return Err(syntax(place, "`Condition` must be an object of operators"));
    };
    let mut conditions = Vec::new();
    for (op_name, keys) in operators {
        let op_place = place.child(op_name);
        // An unknown operator passed the grammar only with an empty block.
        let (Some(operator), Value::Object(keys)) = (Operator::parse(op_name), keys) else {
            continue;
        };
        for (key, values) in keys {
            let condition = Condition::compile(operator, key, grammar::scalars(values), variables)
                .map_err(|detail| syntax(&op_place.child(key), detail))?;
            conditions.push(condition);
        }
    }
    Ok(conditions)
}

mod grammar;

#[cfg(test)]
mod tests;
