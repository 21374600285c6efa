//! Conditions: compiled once from the policy's `Condition` block, evaluated against the
//! request context with AWS's rules for absent keys, negated operators, `...IfExists` and the
//! `ForAllValues:` / `ForAnyValue:` set qualifiers.

mod operator;
mod values;

pub use operator::{Comparison, Family, Operator, SetQualifier};

use crate::arn::{Arn, ArnPattern};
use crate::context::{Context, ContextValue, KeyName};
use crate::pattern::{Pattern, Token};
use values::{parse_bool, parse_date, parse_number, IpNet};

/// One compiled value of a condition.
#[derive(Debug, Clone)]
enum Value {
    Text(Pattern),
    Number(f64),
    Date(i64),
    Bool(bool),
    Binary(String),
    Net(IpNet),
    Arn(ArnPattern),
    /// A `Date*` value AWS's legacy parser accepts but that names no instant this engine
    /// reads (e.g. `01T`): it matches nothing.
    Unreadable,
}

/// One `operator: { key: values }` entry of a statement's `Condition`.
#[derive(Debug, Clone)]
pub struct Condition {
    pub operator: Operator,
    /// The key as written, e.g. `aws:MultiFactorAuthPresent`.
    pub key: String,
    key_name: KeyName,
    /// The values as written.
    pub values: Vec<String>,
    compiled: Vec<Value>,
}

/// Why a condition held or not, for explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Why {
    /// The key is not in the request context.
    KeyAbsent,
    /// The key is present and (one of) its value(s) compared as the operator asks.
    Compared,
    /// A single-valued operator was used on a multi-valued key without a set qualifier.
    MultiValuedKey,
    /// The context value is not of the operator's type (e.g. not a number).
    BadValue,
}

impl Condition {
    /// Compiles one key's values. Errors are plain texts; the parser adds the place.
    pub(crate) fn compile(
        operator: Operator,
        key: &str,
        values: Vec<String>,
        variables: bool,
    ) -> Result<Condition, String> {
        let comparison = operator.comparison;
        let mut compiled = Vec::with_capacity(values.len());
        for text in &values {
            let value = match comparison.family() {
                Family::String => {
                    let wildcards = matches!(
                        comparison,
                        Comparison::StringLike | Comparison::StringNotLike
                    );
                    let ignore_case = matches!(
                        comparison,
                        Comparison::StringEqualsIgnoreCase | Comparison::StringNotEqualsIgnoreCase
                    );
                    let source = if ignore_case {
                        text.to_lowercase()
                    } else {
                        text.clone()
                    };
                    Value::Text(Pattern::compile(&source, wildcards, variables))
                }
                Family::Numeric => Value::Number(
                    parse_number(text).ok_or_else(|| format!("`{text}` is not a number"))?,
                ),
                Family::Date => parse_date(text).map_or(Value::Unreadable, Value::Date),
                Family::Bool | Family::Null => Value::Bool(
                    parse_bool(text).ok_or_else(|| format!("`{text}` is not `true` or `false`"))?,
                ),
                Family::Binary => Value::Binary(text.clone()),
                Family::Ip => Value::Net(
                    IpNet::parse(text)
                        .ok_or_else(|| format!("`{text}` is not an IP address or CIDR range"))?,
                ),
                Family::Arn => Value::Arn(
                    ArnPattern::compile(text, variables)
                        .ok_or_else(|| format!("`{text}` is not in ARN format"))?,
                ),
            };
            compiled.push(value);
        }
        Ok(Condition {
            operator,
            key: key.to_string(),
            key_name: KeyName::new(key),
            values,
            compiled,
        })
    }

    /// The context value this condition reads.
    pub fn actual<'c>(&self, context: &'c Context) -> Option<&'c ContextValue> {
        context.lookup(&self.key_name)
    }

    /// Whether the condition holds, and why.
    pub fn evaluate(&self, context: &Context) -> (bool, Why) {
        let op = self.operator;
        let value = context.lookup(&self.key_name);
        let present = value.is_some_and(|v| !v.values().is_empty());
        if op.comparison == Comparison::Null {
            let want_absent = self.compiled.iter().any(|v| matches!(v, Value::Bool(true)));
            let want_present = self
                .compiled
                .iter()
                .any(|v| matches!(v, Value::Bool(false)));
            let holds = if present { want_present } else { want_absent };
            let why = if present {
                Why::Compared
            } else {
                Why::KeyAbsent
            };
            return (holds, why);
        }
        let negated = op.comparison.is_negated();
        let Some(value) = value.filter(|_| present) else {
            let holds = match op.qualifier {
                Some(SetQualifier::ForAllValues) => true,
                Some(SetQualifier::ForAnyValue) => op.if_exists,
                None => op.if_exists || negated,
            };
            return (holds, Why::KeyAbsent);
        };
        let test = |x: &str| self.matches_any(x, context).map(|m| m != negated);
        let result = match (op.qualifier, value) {
            (None, ContextValue::Multi(_)) => return (false, Why::MultiValuedKey),
            (None, ContextValue::Single(x)) => test(x),
            (Some(SetQualifier::ForAllValues), v) => v
                .values()
                .iter()
                .try_fold(true, |all, x| Some(all && test(x)?)),
            (Some(SetQualifier::ForAnyValue), v) => v
                .values()
                .iter()
                .try_fold(false, |any, x| Some(any || test(x)?)),
        };
        match result {
            Some(holds) => (holds, Why::Compared),
            None => (false, Why::BadValue),
        }
    }

    /// Whether one context value matches any policy value (the positive form of the
    /// operator). `None` when the context value is not of the operator's type.
    fn matches_any(&self, actual: &str, context: &Context) -> Option<bool> {
        use Comparison::*;
        let comparison = self.operator.comparison;
        let typed = TypedActual::parse(comparison.family(), actual)?;
        Some(self.compiled.iter().any(|value| {
            match (value, &typed) {
                (Value::Text(p), TypedActual::Text(s)) => match comparison {
                    StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => match p {
                        Pattern::Exact(lower) => *lower == s.to_lowercase(),
                        Pattern::Template { tokens, .. } => resolve(tokens, context)
                            .is_some_and(|r| r.to_lowercase() == s.to_lowercase()),
                        other => other.is_match(s, context),
                    },
                    _ => p.is_match(s, context),
                },
                (Value::Number(n), TypedActual::Number(a)) => compare(comparison, a.total_cmp(n)),
                (Value::Date(d), TypedActual::Date(a)) => compare(comparison, a.cmp(d)),
                (Value::Bool(b), TypedActual::Bool(a)) => a == b,
                (Value::Binary(b), TypedActual::Text(a)) => a == b,
                (Value::Net(net), TypedActual::Text(a)) => net.contains(a) == Some(true),
                (Value::Arn(p), TypedActual::Text(a)) => p.is_match(a, context),
                _ => false,
            }
        }))
    }
}

fn resolve(tokens: &[Token], context: &Context) -> Option<String> {
    Pattern::resolve_text(tokens, context)
}

/// A context value read as the operator's type.
enum TypedActual<'a> {
    Text(&'a str),
    Number(f64),
    Date(i64),
    Bool(bool),
}

impl<'a> TypedActual<'a> {
    fn parse(family: Family, actual: &'a str) -> Option<TypedActual<'a>> {
        Some(match family {
            Family::Numeric => TypedActual::Number(parse_number(actual)?),
            Family::Date => TypedActual::Date(parse_date(actual)?),
            Family::Bool => TypedActual::Bool(parse_bool(actual)?),
            Family::Ip => {
                IpNet::parse(actual)?;
                TypedActual::Text(actual)
            }
            Family::Arn => {
                Arn::parse(actual)?;
                TypedActual::Text(actual)
            }
            Family::String | Family::Binary | Family::Null => TypedActual::Text(actual),
        })
    }
}

/// The positive form of an ordering comparison: `actual <op> policy value`.
fn compare(comparison: Comparison, ordering: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    use Comparison::*;
    match comparison {
        NumericEquals | NumericNotEquals | DateEquals | DateNotEquals => ordering == Equal,
        NumericLessThan | DateLessThan => ordering == Less,
        NumericLessThanEquals | DateLessThanEquals => ordering != Greater,
        NumericGreaterThan | DateGreaterThan => ordering == Greater,
        NumericGreaterThanEquals | DateGreaterThanEquals => ordering != Less,
        _ => false,
    }
}

#[cfg(test)]
mod tests;
