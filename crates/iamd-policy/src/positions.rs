//! Where each statement sits in a policy document's text, for the policy simulator's
//! `StartPosition` / `EndPosition`. Computed on demand from the text (never on the decision
//! path): a small scanner that finds the top-level `Statement` and the span of each of its
//! objects.

/// A place in a document: line and column, both from 1 (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// A statement's span: its first character (`{`) and the place just past its last (`}`),
/// as AWS's simulator reports `StartPosition` / `EndPosition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Span {
    pub start: Position,
    pub end: Position,
}

/// The spans of the statements of `text`, in document order (the order of
/// [`Policy::statements`](crate::Policy::statements)). Empty when the text is not a JSON
/// object with a `Statement` object or array.
pub fn statement_spans(text: &str) -> Vec<Span> {
    let mut scanner = Scanner::new(text);
    scanner.root().unwrap_or_default()
}

struct Scanner<'t> {
    chars: std::iter::Peekable<std::str::Chars<'t>>,
    at: Position,
}

impl<'t> Scanner<'t> {
    fn new(text: &'t str) -> Scanner<'t> {
        Scanner {
            chars: text.chars().peekable(),
            at: Position { line: 1, column: 1 },
        }
    }

    /// The position of the next character.
    fn here(&self) -> Position {
        self.at
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.at.line += 1;
            self.at.column = 1;
        } else {
            self.at.column += 1;
        }
        Some(c)
    }

    fn skip_ws(&mut self) -> Option<char> {
        while self.chars.peek().is_some_and(|c| c.is_whitespace()) {
            self.bump();
        }
        self.chars.peek().copied()
    }

    fn expect(&mut self, wanted: char) -> Option<()> {
        if self.skip_ws()? != wanted {
            return None;
        }
        self.bump().map(|_| ())
    }

    /// A string's raw content (escapes kept as written; keys need no unescaping here).
    fn string(&mut self) -> Option<String> {
        self.expect('"')?;
        let mut out = String::new();
        loop {
            match self.bump()? {
                '"' => return Some(out),
                '\\' => {
                    out.push('\\');
                    out.push(self.bump()?);
                }
                c => out.push(c),
            }
        }
    }

    /// Skips one value; returns the position of its last character.
    fn skip_value(&mut self) -> Option<Position> {
        match self.skip_ws()? {
            '"' => {
                self.string()?;
                Some(self.before())
            }
            '{' | '[' => {
                let mut depth = 0usize;
                loop {
                    match self.chars.peek().copied()? {
                        '"' => {
                            self.string()?;
                            continue;
                        }
                        '{' | '[' => depth += 1,
                        '}' | ']' => depth -= 1,
                        _ => {}
                    }
                    let end = self.here();
                    self.bump();
                    if depth == 0 {
                        return Some(end);
                    }
                }
            }
            _ => {
                let mut end = self.here();
                while self
                    .chars
                    .peek()
                    .is_some_and(|c| !matches!(c, ',' | '}' | ']') && !c.is_whitespace())
                {
                    end = self.here();
                    self.bump();
                }
                Some(end)
            }
        }
    }

    /// The position of the character just consumed (same line: strings hold no raw newline).
    fn before(&self) -> Position {
        Position {
            line: self.at.line,
            column: self.at.column.saturating_sub(1),
        }
    }

    /// An object value's span.
    fn object_span(&mut self) -> Option<Span> {
        if self.skip_ws()? != '{' {
            self.skip_value()?;
            return None;
        }
        let start = self.here();
        self.skip_value()?;
        Some(Span {
            start,
            end: self.here(),
        })
    }

    fn root(&mut self) -> Option<Vec<Span>> {
        self.expect('{')?;
        loop {
            if self.skip_ws()? == '}' {
                return None;
            }
            let key = self.string()?;
            self.expect(':')?;
            if key == "Statement" {
                return self.statements();
            }
            self.skip_value()?;
            if self.skip_ws()? == ',' {
                self.bump();
            }
        }
    }

    fn statements(&mut self) -> Option<Vec<Span>> {
        if self.skip_ws()? != '[' {
            return Some(self.object_span().into_iter().collect());
        }
        self.bump();
        let mut spans = Vec::new();
        loop {
            match self.skip_ws()? {
                ']' => return Some(spans),
                ',' => {
                    self.bump();
                }
                _ => spans.extend(self.object_span()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize, column: usize) -> Position {
        Position { line, column }
    }

    #[test]
    fn spans_of_a_statement_array() {
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"A\", \"Effect\": \"Allow\", \"Action\": \"s3:*\", \"Resource\": \"*\"},\n    {\n      \"Effect\": \"Deny\",\n      \"Action\": \"iam:*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}";
        let spans = statement_spans(text);
        assert_eq!(
            spans,
            vec![
                Span {
                    start: at(4, 5),
                    end: at(4, 71)
                },
                Span {
                    start: at(5, 5),
                    end: at(9, 6)
                },
            ]
        );
    }

    #[test]
    fn a_single_statement_object_and_braces_in_strings() {
        let text = r#"{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::a}{b\"]"},"Version":"2012-10-17"}"#;
        let spans = statement_spans(text);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].start, at(1, 14));
        assert_eq!(text.chars().nth(spans[0].end.column - 2), Some('}'));
        assert_eq!(
            spans[0].end.column,
            text.find(r#""},"Version"#).unwrap() + 3
        );
    }

    #[test]
    fn not_a_policy_gives_no_spans() {
        assert!(statement_spans("[1,2]").is_empty());
        assert!(statement_spans("{\"Version\":\"2012-10-17\"}").is_empty());
        assert!(statement_spans("{\"Statement\": [{\"Effect\"").is_empty());
    }
}
