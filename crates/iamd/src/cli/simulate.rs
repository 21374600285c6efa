//! `iamd policy simulate`: decides one request against policy files and explains it.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Args;
use iamd_policy::{
    explain, Context, Decision, NamedPolicy, PolicyKind, PolicySet, Principal, Request,
};

use super::policy::load_named;
use super::{fail, out, ERROR, NO, OK};

/// The principal used when `--principal` is not given.
pub const DEFAULT_PRINCIPAL: &str = "arn:aws:iam::123456789012:user/user";

/// Arguments of `iamd policy simulate`.
#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Identity-based policies attached to the principal (repeatable; several files may follow
    /// one `--policy`).
    #[arg(long = "policy", value_name = "FILE", num_args = 1.., action = clap::ArgAction::Append)]
    policies: Vec<PathBuf>,
    /// The principal's permissions boundary.
    #[arg(long, value_name = "FILE")]
    boundary: Option<PathBuf>,
    /// The resource-based policy of the resource (validated as a resource policy).
    #[arg(long, value_name = "FILE")]
    resource_policy: Option<PathBuf>,
    /// Session policies (repeatable).
    #[arg(long = "session-policy", value_name = "FILE", action = clap::ArgAction::Append)]
    session_policies: Vec<PathBuf>,
    /// The action, e.g. `iam:CreateAccessKey`.
    #[arg(long)]
    action: String,
    /// The resource ARN, or `*` for actions that take no resource.
    #[arg(long)]
    resource: String,
    /// The account owning the resource (default: the principal's account). Another account
    /// makes the request cross-account.
    #[arg(long, value_name = "ID")]
    resource_account: Option<String>,
    /// The principal making the request: an IAM user, root, assumed-role session or
    /// federated user ARN.
    #[arg(long, value_name = "ARN", default_value = DEFAULT_PRINCIPAL)]
    principal: String,
    /// A context key, e.g. `aws:MultiFactorAuthPresent=true`. Repeat a key to make it
    /// multi-valued. `aws:username`, `aws:PrincipalArn`, `aws:PrincipalAccount` and
    /// `aws:PrincipalType` come from `--principal`, `aws:CurrentTime` and `aws:EpochTime`
    /// from the clock, unless given here.
    #[arg(long = "context", value_name = "KEY=VALUE", value_parser = parse_pair)]
    context: Vec<(String, String)>,
    /// Print the explanation as JSON (top-level `decision`: Allow, ExplicitDeny, ImplicitDeny).
    #[arg(long)]
    json: bool,
}

/// `KEY=VALUE`, split at the first `=`.
fn parse_pair(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_string(), value.to_string())),
        Some(_) => Err(format!("`{text}` has an empty key; expected KEY=VALUE")),
        None => Err(format!("`{text}` has no `=`; expected KEY=VALUE")),
    }
}

/// Runs the simulation; returns the exit code.
pub fn run(args: &SimulateArgs) -> u8 {
    let Some(principal) = Principal::from_arn(&args.principal) else {
        fail(&format!(
            "--principal `{}` is not the ARN of an IAM user, root user, assumed-role session \
             or federated user",
            args.principal
        ));
        return ERROR;
    };
    let identity = load_all(&args.policies, PolicyKind::Identity);
    let session = load_all(&args.session_policies, PolicyKind::Identity);
    let boundary = args
        .boundary
        .as_ref()
        .map(|p| load_named(p, PolicyKind::Identity));
    let resource = args
        .resource_policy
        .as_ref()
        .map(|p| load_named(p, PolicyKind::Resource));
    let (Some(identity), Some(session)) = (identity, session) else {
        return ERROR;
    };
    let (Some(boundary), Some(resource)) = (boundary.transpose_ok(), resource.transpose_ok())
    else {
        return ERROR;
    };

    let mut context = build_context(&args.context);
    principal.fill_context(&mut context);
    fill_clock(&mut context, SystemTime::now());
    let mut request = Request::new(principal, &args.action, &args.resource, context);
    request.resource_account = args.resource_account.clone();

    let set = PolicySet {
        identity: &identity,
        boundary: boundary.as_ref(),
        session: &session,
        resource: resource.as_ref(),
    };
    let explanation = explain(&set, &request);
    if args.json {
        let json = explanation.to_json();
        let text = serde_json::to_string_pretty(&json).unwrap_or_else(|_| json.to_string());
        out(&format!("{text}\n"));
    } else {
        out(&explanation.to_text());
    }
    match explanation.decision {
        Decision::Allow => OK,
        Decision::ExplicitDeny | Decision::ImplicitDeny => NO,
    }
}

/// Loads every file, reporting each failure; `None` if any failed.
fn load_all(paths: &[PathBuf], kind: PolicyKind) -> Option<Vec<Arc<NamedPolicy>>> {
    let loaded: Vec<_> = paths.iter().map(|p| load_named(p, kind)).collect();
    loaded
        .into_iter()
        .map(|p| p.map(Arc::new))
        .collect::<Option<Vec<_>>>()
}

/// An optional file that, when given, must have loaded.
trait TransposeOk<T> {
    /// `Some(None)` when not given, `Some(Some(x))` when loaded, `None` when it failed.
    fn transpose_ok(self) -> Option<Option<T>>;
}

impl<T> TransposeOk<T> for Option<Option<T>> {
    fn transpose_ok(self) -> Option<Option<T>> {
        match self {
            None => Some(None),
            Some(inner) => inner.map(Some),
        }
    }
}

/// The `--context` pairs; a key given more than once (in any case) becomes multi-valued.
fn build_context(pairs: &[(String, String)]) -> Context {
    let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
    for (key, value) in pairs {
        match grouped
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
        {
            Some((_, values)) => values.push(value.clone()),
            None => grouped.push((key.clone(), vec![value.clone()])),
        }
    }
    let mut context = Context::default();
    for (key, mut values) in grouped {
        match values.len() {
            1 => context.insert(&key, values.remove(0)),
            _ => context.insert_multi(&key, values),
        }
    }
    context
}

/// Sets `aws:CurrentTime` (ISO 8601, UTC) and `aws:EpochTime` from `now` unless present.
fn fill_clock(context: &mut Context, now: SystemTime) {
    let seconds = now
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    if context.get_any_case("aws:CurrentTime").is_none() {
        let unix = i64::try_from(seconds).unwrap_or(i64::MAX);
        context.insert("aws:CurrentTime", iamd_core::time::iso8601(unix));
    }
    if context.get_any_case("aws:EpochTime").is_none() {
        context.insert("aws:EpochTime", seconds.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs() {
        assert_eq!(parse_pair("a=b=c"), Ok(("a".into(), "b=c".into())));
        assert!(parse_pair("ab").is_err());
        assert!(parse_pair("=b").is_err());
    }

    #[test]
    fn repeated_keys_are_multi_valued() {
        let pairs = [("aws:TagKeys", "a"), ("AWS:tagkeys", "b"), ("x", "1")];
        let pairs: Vec<_> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let context = build_context(&pairs);
        let tags = context.get("aws:tagkeys").map(|v| v.values().to_vec());
        assert_eq!(tags, Some(vec!["a".to_string(), "b".to_string()]));
        assert_eq!(context.single("x"), Some("1"));
    }
}
