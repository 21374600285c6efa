//! Condition operators: their names, families and qualifiers.

/// The comparison a condition operator makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    ArnEquals,
    ArnLike,
    ArnNotEquals,
    ArnNotLike,
    Null,
}

/// The kind of values an operator compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

/// `ForAllValues:` / `ForAnyValue:` for multi-valued keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

const ALL: [(&str, Comparison); 27] = [
    ("StringEquals", Comparison::StringEquals),
    ("StringNotEquals", Comparison::StringNotEquals),
    ("StringEqualsIgnoreCase", Comparison::StringEqualsIgnoreCase),
    (
        "StringNotEqualsIgnoreCase",
        Comparison::StringNotEqualsIgnoreCase,
    ),
    ("StringLike", Comparison::StringLike),
    ("StringNotLike", Comparison::StringNotLike),
    ("NumericEquals", Comparison::NumericEquals),
    ("NumericNotEquals", Comparison::NumericNotEquals),
    ("NumericLessThan", Comparison::NumericLessThan),
    ("NumericLessThanEquals", Comparison::NumericLessThanEquals),
    ("NumericGreaterThan", Comparison::NumericGreaterThan),
    (
        "NumericGreaterThanEquals",
        Comparison::NumericGreaterThanEquals,
    ),
    ("DateEquals", Comparison::DateEquals),
    ("DateNotEquals", Comparison::DateNotEquals),
    ("DateLessThan", Comparison::DateLessThan),
    ("DateLessThanEquals", Comparison::DateLessThanEquals),
    ("DateGreaterThan", Comparison::DateGreaterThan),
    ("DateGreaterThanEquals", Comparison::DateGreaterThanEquals),
    ("Bool", Comparison::Bool),
    ("BinaryEquals", Comparison::BinaryEquals),
    ("IpAddress", Comparison::IpAddress),
    ("NotIpAddress", Comparison::NotIpAddress),
    ("ArnEquals", Comparison::ArnEquals),
    ("ArnLike", Comparison::ArnLike),
    ("ArnNotEquals", Comparison::ArnNotEquals),
    ("ArnNotLike", Comparison::ArnNotLike),
    ("Null", Comparison::Null),
];

impl Comparison {
    pub fn name(self) -> &'static str {
        ALL.iter()
            .find(|(_, c)| *c == self)
            .map(|(n, _)| *n)
            .unwrap_or("")
    }

    pub fn family(self) -> Family {
        use Comparison::*;
        match self {
            StringEquals
            | StringNotEquals
            | StringEqualsIgnoreCase
            | StringNotEqualsIgnoreCase
            | StringLike
            | StringNotLike => Family::String,
            NumericEquals
            | NumericNotEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => Family::Numeric,
            DateEquals
            | DateNotEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => Family::Date,
            Bool => Family::Bool,
            BinaryEquals => Family::Binary,
            IpAddress | NotIpAddress => Family::Ip,
            ArnEquals | ArnLike | ArnNotEquals | ArnNotLike => Family::Arn,
            Null => Family::Null,
        }
    }

    /// Negated operators hold when no policy value matches, and when the key is absent.
    pub fn is_negated(self) -> bool {
        use Comparison::*;
        matches!(
            self,
            StringNotEquals
                | StringNotEqualsIgnoreCase
                | StringNotLike
                | NumericNotEquals
                | DateNotEquals
                | NotIpAddress
                | ArnNotEquals
                | ArnNotLike
        )
    }
}

/// A parsed operator such as `ForAnyValue:StringLikeIfExists`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operator {
    pub comparison: Comparison,
    pub if_exists: bool,
    pub qualifier: Option<SetQualifier>,
}

impl Operator {
    /// Parses an operator name; `None` for an unknown one. Operator names are case-sensitive
    /// in AWS, as is `IfExists`.
    pub fn parse(text: &str) -> Option<Operator> {
        let (qualifier, rest) = if let Some(rest) = text.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else if let Some(rest) = text.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else {
            (None, text)
        };
        let (if_exists, name) = match rest.strip_suffix("IfExists") {
            Some(name) => (true, name),
            None => (false, rest),
        };
        let comparison = ALL.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)?;
        if if_exists && comparison == Comparison::Null {
            return None;
        }
        Some(Operator {
            comparison,
            if_exists,
            qualifier,
        })
    }

    /// The operator as written in a policy.
    pub fn to_text(self) -> String {
        let prefix = match self.qualifier {
            Some(SetQualifier::ForAllValues) => "ForAllValues:",
            Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
            None => "",
        };
        let suffix = if self.if_exists { "IfExists" } else { "" };
        format!("{prefix}{}{suffix}", self.comparison.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_names() {
        let op = Operator::parse("ForAnyValue:StringLikeIfExists");
        assert_eq!(
            op,
            Some(Operator {
                comparison: Comparison::StringLike,
                if_exists: true,
                qualifier: Some(SetQualifier::ForAnyValue)
            })
        );
        assert_eq!(
            op.map(Operator::to_text).as_deref(),
            Some("ForAnyValue:StringLikeIfExists")
        );
        assert!(Operator::parse("StringEqualss").is_none());
        assert!(Operator::parse("NullIfExists").is_none());
        assert!(Operator::parse("stringequals").is_none());
        for (name, _) in ALL {
            assert!(Operator::parse(name).is_some(), "{name}");
            assert!(Operator::parse(&format!("{name}IfExists")).is_some() || name == "Null");
        }
    }
}
