//! Parses `$filter` text (typically written by a model) into the syntax tree: a tokenizer and a
//! recursive-descent parser for the OData subset Graph uses. Input is untrusted, so every error
//! is reported with a position instead of a panic, and size and nesting are capped.

use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::ast::{CmpOp, Expr, Literal, Path};

/// Longest filter accepted, in characters; Graph's own URLs are not much longer.
const MAX_LEN: usize = 4096;
/// Deepest nesting of parentheses, `not` and lambdas; keeps recursion far from the stack's end.
const MAX_DEPTH: usize = 32;

/// Words with a meaning of their own; none may start a property path or name a lambda variable.
const KEYWORDS: [&str; 18] = [
    "and",
    "or",
    "not",
    "eq",
    "ne",
    "gt",
    "ge",
    "lt",
    "le",
    "in",
    "true",
    "false",
    "null",
    "any",
    "all",
    "startswith",
    "endswith",
    "contains",
];

/// Why a filter was rejected; `position` counts characters (not bytes) from the start, from 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub position: usize,
}

impl ParseError {
    fn new(position: usize, message: impl Into<String>) -> Self {
        ParseError { message: message.into(), position }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}: {}", self.position, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses a `$filter` expression such as `status/errorCode eq 0 and createdDateTime ge
/// 2026-11-20T08:00:00Z`.
pub fn parse_filter(text: &str) -> Result<Expr, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() > MAX_LEN {
        return Err(ParseError::new(MAX_LEN, format!("filter is longer than {MAX_LEN} characters")));
    }
    let tokens = Lexer { chars: &chars, pos: 0 }.tokens()?;
    let mut parser = Parser { tokens, next: 0, depth: 0, scope: Vec::new(), closed: Vec::new(), free: Vec::new() };
    if parser.peek().kind == Kind::End {
        return Err(ParseError::new(0, "empty filter"));
    }
    let expr = parser.or()?;
    let trailing = parser.peek();
    if trailing.kind != Kind::End {
        return Err(ParseError::new(
            trailing.pos,
            format!("unexpected {} after the end of the expression", trailing.describe()),
        ));
    }
    Ok(expr)
}

/// Whether `s` is a plain OData identifier: an ASCII letter or `_`, then letters, digits, `_`.
pub(super) fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses a standalone property path for [`Path::parse`].
pub(super) fn parse_path(s: &str) -> Result<Vec<String>, ParseError> {
    let chars: Vec<char> = s.chars().collect();
    let mut lexer = Lexer { chars: &chars, pos: 0 };
    let segments = match chars.first() {
        Some(&c) if starts_segment(c) => lexer.path()?,
        _ => return Err(ParseError::new(0, "expected a property name")),
    };
    if lexer.pos < chars.len() {
        return Err(ParseError::new(lexer.pos, format!("unexpected '{}' in property path", chars[lexer.pos])));
    }
    if is_keyword(&segments[0]) {
        return Err(ParseError::new(0, format!("'{}' is a keyword, not a property name", segments[0])));
    }
    Ok(segments)
}

fn is_keyword(word: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(word))
}

fn starts_segment(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '$'
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// A property path, keyword, function or lambda name: `/`-separated segments, no spaces.
    Word(Vec<String>),
    Literal(Literal),
    LParen,
    RParen,
    Comma,
    Colon,
    End,
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    pos: usize,
}

impl Token {
    /// The keyword this token spells, lowercased, if it is a single bare word.
    fn keyword(&self) -> Option<String> {
        match &self.kind {
            Kind::Word(segments) if segments.len() == 1 => Some(segments[0].to_ascii_lowercase()),
            _ => None,
        }
    }

    fn is_keyword(&self, keyword: &str) -> bool {
        self.keyword().as_deref() == Some(keyword)
    }

    /// How the token reads in an error message.
    fn describe(&self) -> String {
        match &self.kind {
            Kind::Word(segments) => format!("'{}'", segments.join("/")),
            Kind::Literal(lit) => format!("literal {lit}"),
            Kind::LParen => "'('".into(),
            Kind::RParen => "')'".into(),
            Kind::Comma => "','".into(),
            Kind::Colon => "':'".into(),
            Kind::End => "end of input".into(),
        }
    }
}

struct Lexer<'a> {
    chars: &'a [char],
    pos: usize,
}

impl Lexer<'_> {
    fn tokens(mut self) -> Result<Vec<Token>, ParseError> {
        let mut tokens = Vec::new();
        loop {
            while self.peek().is_some_and(char::is_whitespace) {
                self.pos += 1;
            }
            let pos = self.pos;
            let Some(c) = self.peek() else {
                tokens.push(Token { kind: Kind::End, pos });
                return Ok(tokens);
            };
            let punctuation = match c {
                '(' => Some(Kind::LParen),
                ')' => Some(Kind::RParen),
                ',' => Some(Kind::Comma),
                ':' => Some(Kind::Colon),
                _ => None,
            };
            let kind = if let Some(kind) = punctuation {
                self.pos += 1;
                kind
            } else if c == '\'' {
                Kind::Literal(Literal::String(self.string()?))
            } else if let Some(id) = self.guid() {
                Kind::Literal(Literal::Guid(id))
            } else if c.is_ascii_digit() || c == '-' {
                Kind::Literal(self.number_or_date()?)
            } else if starts_segment(c) {
                Kind::Word(self.path()?)
            } else {
                return Err(ParseError::new(pos, format!("unexpected character '{c}'")));
            };
            tokens.push(Token { kind, pos });
        }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let start = self.pos;
        while self.peek().is_some_and(&keep) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    /// `'…'` with `''` standing for one quote.
    fn string(&mut self) -> Result<String, ParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut s = String::new();
        loop {
            match self.peek() {
                None => return Err(ParseError::new(start, "unterminated string literal")),
                Some('\'') if self.at(1) == Some('\'') => {
                    s.push('\'');
                    self.pos += 2;
                }
                Some('\'') => {
                    self.pos += 1;
                    return Ok(s);
                }
                Some(c) => {
                    s.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    /// A bare 8-4-4-4-12 hex GUID; checked before numbers and words, which it can look like.
    fn guid(&mut self) -> Option<Uuid> {
        const SHAPE: &[u8; 36] = b"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
        let text = self.chars.get(self.pos..self.pos + SHAPE.len())?;
        let fits = text.iter().zip(SHAPE).all(|(&c, &s)| if s == b'-' { c == '-' } else { c.is_ascii_hexdigit() });
        let after = self.at(SHAPE.len());
        if !fits || after.is_some_and(|c| is_word_char(c) || c == '-') {
            return None;
        }
        let id = Uuid::parse_str(&text.iter().collect::<String>()).ok()?;
        self.pos += SHAPE.len();
        Some(id)
    }

    /// Integers, decimals (`1.5`, `2e10`), `-INF`, and date-times, which start `dddd-`.
    fn number_or_date(&mut self) -> Result<Literal, ParseError> {
        let start = self.pos;
        let is_date = (0..4).all(|i| self.at(i).is_some_and(|c| c.is_ascii_digit())) && self.at(4) == Some('-');
        if is_date {
            let text = self.take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '+' | '-'));
            return DateTime::parse_from_rfc3339(&text).map(|t| Literal::DateTime(t.with_timezone(&Utc))).map_err(
                |_| {
                    ParseError::new(start, format!("malformed date-time '{text}' (expected e.g. 2026-11-20T08:00:00Z)"))
                },
            );
        }
        let sign = if self.peek() == Some('-') { "-" } else { "" };
        self.pos += sign.len();
        if sign == "-"
            && self.chars.get(self.pos..self.pos + 3) == Some(&['I', 'N', 'F'])
            && !self.at(3).is_some_and(is_word_char)
        {
            self.pos += 3;
            return Ok(Literal::Float(f64::NEG_INFINITY));
        }
        // Take the whole run, letters included, so `12abc` is one malformed number.
        let rest = self.take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'));
        let text = format!("{sign}{rest}");
        let malformed = || ParseError::new(start, format!("malformed number '{text}'"));
        if !is_decimal(&text) {
            return Err(malformed());
        }
        if text.contains(['.', 'e', 'E']) {
            text.parse().map(Literal::Float).map_err(|_| malformed())
        } else {
            text.parse()
                .map(Literal::Int)
                .map_err(|_| ParseError::new(start, format!("integer '{text}' is out of range")))
        }
    }

    /// `segment ('/' segment)*` where a segment is an identifier or a final `$count`.
    fn path(&mut self) -> Result<Vec<String>, ParseError> {
        let mut segments = Vec::new();
        loop {
            let start = self.pos;
            let segment = if self.peek() == Some('$') {
                self.pos += 1;
                format!("${}", self.take_while(is_word_char))
            } else {
                self.take_while(is_word_char)
            };
            if segment.is_empty() || segment.starts_with(|c: char| c.is_ascii_digit()) {
                return Err(ParseError::new(start, "expected a property name"));
            }
            if segment.starts_with('$') {
                if segment != "$count" {
                    return Err(ParseError::new(start, format!("unknown segment '{segment}'")));
                }
                if segments.is_empty() {
                    return Err(ParseError::new(start, "'$count' must follow a collection property"));
                }
            } else if segments.last().is_some_and(|s| s == "$count") {
                return Err(ParseError::new(start, "'$count' must be the last segment of a path"));
            }
            segments.push(segment);
            if self.peek() != Some('/') {
                return Ok(segments);
            }
            self.pos += 1;
        }
    }
}

/// OData's decimal syntax: `-? digits (. digits)? ([eE] [+-]? digits)?`.
fn is_decimal(text: &str) -> bool {
    fn digits(s: &str) -> (&str, &str) {
        let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        s.split_at(end)
    }
    let (int, rest) = digits(text.strip_prefix('-').unwrap_or(text));
    if int.is_empty() {
        return false;
    }
    let rest = match rest.strip_prefix('.') {
        Some(frac) => match digits(frac) {
            ("", _) => return false,
            (_, rest) => rest,
        },
        None => rest,
    };
    match rest.strip_prefix(['e', 'E']) {
        Some(exp) => {
            let (exp, rest) = digits(exp.strip_prefix(['+', '-']).unwrap_or(exp));
            !exp.is_empty() && rest.is_empty()
        }
        None => rest.is_empty(),
    }
}

struct Parser {
    tokens: Vec<Token>,
    next: usize,
    depth: usize,
    /// Lambda variables whose body is being parsed, innermost last.
    scope: Vec<String>,
    /// Lambda variables whose lambda has already closed.
    closed: Vec<String>,
    /// First segments of paths that named no variable in scope, with their positions, so a
    /// lambda declared later can tell whether its variable was used before it.
    free: Vec<(String, usize)>,
}

impl Parser {
    fn peek(&self) -> &Token {
        // The lexer always ends the list with `End`, and nothing advances past it.
        &self.tokens[self.next.min(self.tokens.len() - 1)]
    }

    fn advance(&mut self) -> Token {
        let token = self.peek().clone();
        if token.kind != Kind::End {
            self.next += 1;
        }
        token
    }

    fn expect(&mut self, kind: Kind, what: &str) -> Result<(), ParseError> {
        let token = self.advance();
        if token.kind == kind {
            Ok(())
        } else {
            Err(ParseError::new(token.pos, format!("expected {what}, found {}", token.describe())))
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::new(
                self.peek().pos,
                format!("expression is nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    /// `and_expr ('or' and_expr)*`, left-associated.
    fn or(&mut self) -> Result<Expr, ParseError> {
        self.enter()?;
        let mut left = self.and()?;
        while self.peek().is_keyword("or") {
            self.advance();
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        self.depth -= 1;
        Ok(left)
    }

    /// `unary ('and' unary)*`, left-associated.
    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut left = self.unary()?;
        while self.peek().is_keyword("and") {
            self.advance();
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    /// `'not' unary | primary`.
    fn unary(&mut self) -> Result<Expr, ParseError> {
        if !self.peek().is_keyword("not") {
            return self.primary();
        }
        self.advance();
        self.enter()?;
        let inner = self.unary()?;
        self.depth -= 1;
        Ok(Expr::Not(Box::new(inner)))
    }

    /// A parenthesised expression, a function call, a lambda or a comparison.
    fn primary(&mut self) -> Result<Expr, ParseError> {
        let token = self.advance();
        let segments = match token.kind {
            Kind::LParen => {
                let inner = self.or()?;
                self.expect(Kind::RParen, "')'")?;
                return Ok(inner);
            }
            Kind::Word(segments) => segments,
            _ => {
                return Err(ParseError::new(
                    token.pos,
                    format!("expected a comparison, 'not' or '(', found {}", token.describe()),
                ));
            }
        };
        let called = self.peek().kind == Kind::LParen;
        let last = segments[segments.len() - 1].to_ascii_lowercase();
        if called && segments.len() == 1 {
            return match last.as_str() {
                "startswith" | "endswith" | "contains" => self.function(&last),
                _ => Err(ParseError::new(token.pos, format!("unknown function '{}'", segments[0]))),
            };
        }
        if called && (last == "any" || last == "all") {
            let collection = &segments[..segments.len() - 1];
            let path = self.path(collection.to_vec(), token.pos)?;
            return self.lambda(path, last == "all");
        }
        let path = self.path(segments, token.pos)?;
        self.comparison(path)
    }

    /// Checks a property path's first segment against the lambda variables.
    fn path(&mut self, segments: Vec<String>, pos: usize) -> Result<Path, ParseError> {
        let first = &segments[0];
        if is_keyword(first) {
            return Err(ParseError::new(pos, format!("expected a property name, found keyword '{first}'")));
        }
        if !self.scope.contains(first) {
            if self.closed.contains(first) {
                return Err(ParseError::new(pos, format!("lambda variable '{first}' is used outside its lambda")));
            }
            self.free.push((first.clone(), pos));
        }
        Ok(Path(segments))
    }

    fn comparison(&mut self, path: Path) -> Result<Expr, ParseError> {
        let token = self.advance();
        let op = match token.keyword().as_deref() {
            Some("eq") => CmpOp::Eq,
            Some("ne") => CmpOp::Ne,
            Some("gt") => CmpOp::Gt,
            Some("ge") => CmpOp::Ge,
            Some("lt") => CmpOp::Lt,
            Some("le") => CmpOp::Le,
            Some("in") => return self.in_list(path),
            _ => {
                return Err(ParseError::new(
                    token.pos,
                    format!("expected an operator (eq, ne, gt, ge, lt, le, in), found {}", token.describe()),
                ));
            }
        };
        Ok(Expr::Compare { path, op, value: self.literal()? })
    }

    /// `( literal (, literal)* )`, after `in`.
    fn in_list(&mut self, path: Path) -> Result<Expr, ParseError> {
        self.expect(Kind::LParen, "'(' after 'in'")?;
        let mut values = vec![self.literal()?];
        while self.peek().kind == Kind::Comma {
            self.advance();
            values.push(self.literal()?);
        }
        self.expect(Kind::RParen, "')'")?;
        Ok(Expr::In { path, values })
    }

    fn literal(&mut self) -> Result<Literal, ParseError> {
        let token = self.advance();
        if let Kind::Literal(lit) = token.kind {
            return Ok(lit);
        }
        let word = match &token.kind {
            Kind::Word(segments) if segments.len() == 1 => segments[0].as_str(),
            _ => "",
        };
        match word.to_ascii_lowercase().as_str() {
            "null" => return Ok(Literal::Null),
            "true" => return Ok(Literal::Bool(true)),
            "false" => return Ok(Literal::Bool(false)),
            _ => {}
        }
        match word {
            "NaN" => Ok(Literal::Float(f64::NAN)),
            "INF" => Ok(Literal::Float(f64::INFINITY)),
            _ => Err(ParseError::new(token.pos, format!("expected a literal value, found {}", token.describe()))),
        }
    }

    /// `startswith(path, 'text')`, `endswith(path, 'text')` or `contains(path, 'text')`; the name
    /// is already consumed.
    fn function(&mut self, name: &str) -> Result<Expr, ParseError> {
        self.expect(Kind::LParen, "'('")?;
        let token = self.advance();
        let Kind::Word(segments) = token.kind else {
            return Err(ParseError::new(token.pos, format!("expected a property name, found {}", token.describe())));
        };
        let path = self.path(segments, token.pos)?;
        self.expect(Kind::Comma, "','")?;
        let token = self.advance();
        let Kind::Literal(Literal::String(text)) = token.kind else {
            return Err(ParseError::new(
                token.pos,
                format!("{name} expects a quoted string, found {}", token.describe()),
            ));
        };
        self.expect(Kind::RParen, "')'")?;
        Ok(match name {
            "startswith" => Expr::StartsWith { path, prefix: text },
            "endswith" => Expr::EndsWith { path, suffix: text },
            _ => Expr::Contains { path, text },
        })
    }

    /// `(var: body)` or, for `any` only, `()`; the collection path and `/any` are consumed.
    fn lambda(&mut self, path: Path, all: bool) -> Result<Expr, ParseError> {
        self.expect(Kind::LParen, "'('")?;
        if self.peek().kind == Kind::RParen && !all {
            self.advance();
            return Ok(Expr::Any { path, var: String::new(), body: None });
        }
        let token = self.advance();
        let var = match token.kind {
            Kind::Word(mut segments) if segments.len() == 1 && is_identifier(&segments[0]) => segments.remove(0),
            _ => {
                return Err(ParseError::new(
                    token.pos,
                    format!("expected a lambda variable name, found {}", token.describe()),
                ));
            }
        };
        if is_keyword(&var) {
            return Err(ParseError::new(token.pos, format!("'{var}' is a keyword, not a lambda variable")));
        }
        if self.scope.contains(&var) {
            return Err(ParseError::new(token.pos, format!("lambda variable '{var}' is already in use")));
        }
        if let Some((_, used)) = self.free.iter().find(|(name, _)| *name == var) {
            return Err(ParseError::new(*used, format!("lambda variable '{var}' is used outside its lambda")));
        }
        self.expect(Kind::Colon, "':' after the lambda variable")?;
        self.scope.push(var.clone());
        let body = self.or()?;
        self.scope.pop();
        self.expect(Kind::RParen, "')'")?;
        self.closed.push(var.clone());
        Ok(if all {
            Expr::All { path, var, body: Box::new(body) }
        } else {
            Expr::Any { path, var, body: Some(Box::new(body)) }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Expr {
        parse_filter(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn error(text: &str) -> ParseError {
        parse_filter(text).expect_err(text)
    }

    fn guid(s: &str) -> Uuid {
        Uuid::parse_str(s).unwrap()
    }

    #[test]
    fn parses_graph_examples() {
        assert_eq!(
            parse("appliedConditionalAccessPolicies/any(p:p/id eq '0a0b')"),
            Expr::any("appliedConditionalAccessPolicies", "p", Expr::eq("p/id", "0a0b"))
        );
        assert_eq!(
            parse("targetResources/any(t:t/id eq 'abc')"),
            Expr::any("targetResources", "t", Expr::eq("t/id", "abc"))
        );
        let sku = guid("6fd2c87f-b296-42f0-b197-1e91e994b900");
        assert_eq!(
            parse("assignedLicenses/any(x:x/skuId eq 6fd2c87f-b296-42f0-b197-1e91e994b900)"),
            Expr::any("assignedLicenses", "x", Expr::eq("x/skuId", sku))
        );
        assert_eq!(parse("groupTypes/any(c:c eq 'Unified')"), Expr::any("groupTypes", "c", Expr::eq("c", "Unified")));
        assert_eq!(
            parse("signInEventTypes/any(t: t eq 'nonInteractiveUser')"),
            Expr::any("signInEventTypes", "t", Expr::eq("t", "nonInteractiveUser"))
        );
        assert_eq!(parse("assignedLicenses/$count eq 0"), Expr::eq("assignedLicenses/$count", 0));
        assert_eq!(parse("assignedLicenses/any()"), Expr::any_nonempty("assignedLicenses"));
        assert_eq!(
            parse("members/all(m: m/accountEnabled eq true)"),
            Expr::All {
                path: Path::of("members"),
                var: "m".into(),
                body: Box::new(Expr::eq("m/accountEnabled", true)),
            }
        );
        assert_eq!(
            parse("startsWith(displayName,'Al') and endswith(mail, '@contoso.com')"),
            Expr::starts_with("displayName", "Al")
                .and(Expr::EndsWith { path: Path::of("mail"), suffix: "@contoso.com".into() })
        );
    }

    #[test]
    fn parses_literals() {
        let value = |text: &str| match parse(&format!("a eq {text}")) {
            Expr::Compare { value, .. } => value,
            other => panic!("{other:?}"),
        };
        assert_eq!(value("'O''Brien'"), Literal::String("O'Brien".into()));
        assert_eq!(value("-42"), Literal::Int(-42));
        assert_eq!(value("1.5"), Literal::Float(1.5));
        assert_eq!(value("-2e3"), Literal::Float(-2000.0));
        assert_eq!(value("TRUE"), Literal::Bool(true));
        assert_eq!(value("false"), Literal::Bool(false));
        assert_eq!(value("Null"), Literal::Null);
        assert_eq!(
            value("6FD2C87F-B296-42F0-B197-1E91E994B900"),
            Literal::Guid(guid("6fd2c87f-b296-42f0-b197-1e91e994b900"))
        );
        // Quoted, a GUID is just a string.
        assert_eq!(
            value("'6fd2c87f-b296-42f0-b197-1e91e994b900'"),
            Literal::String("6fd2c87f-b296-42f0-b197-1e91e994b900".into())
        );
        let t = DateTime::parse_from_rfc3339("2026-11-20T08:00:00Z").unwrap().to_utc();
        assert_eq!(value("2026-11-20T08:00:00Z"), Literal::DateTime(t));
        assert_eq!(value("2026-11-20T10:00:00.000+02:00"), Literal::DateTime(t));
        let frac = DateTime::parse_from_rfc3339("2026-11-20T08:00:00.5Z").unwrap().to_utc();
        assert_eq!(value("2026-11-20T08:00:00.5Z"), Literal::DateTime(frac));
    }

    #[test]
    fn precedence_and_keywords() {
        let (a, b, c) = (Expr::eq("a", 1), Expr::eq("b", 2), Expr::eq("c", 3));
        assert_eq!(parse("a eq 1 or b eq 2 and c eq 3"), a.clone().or(b.clone().and(c.clone())));
        assert_eq!(parse("(a eq 1 or b eq 2) and c eq 3"), a.clone().or(b.clone()).and(c.clone()));
        assert_eq!(parse("a EQ 1 AND b Eq 2 Or c eq 3"), a.clone().and(b.clone()).or(c.clone()));
        assert_eq!(parse("not a eq 1 and b eq 2"), a.clone().negate().and(b.clone()));
        assert_eq!(parse("not(a eq 1 and b eq 2)"), a.clone().and(b.clone()).negate());
        assert_eq!(parse("NOT NOT a eq 1"), a.clone().negate().negate());
        assert_eq!(
            parse("userType in ('Member', 'Guest')"),
            Expr::is_in("userType", vec!["Member".into(), "Guest".into()])
        );
        // Property names keep their case.
        assert_eq!(parse("displayName eq 'x'"), Expr::eq("displayName", "x"));
        assert_ne!(parse("DisplayName eq 'x'"), Expr::eq("displayName", "x"));
    }

    #[test]
    fn rejects_bad_input_with_positions() {
        let cases = [
            ("", 0, "empty filter"),
            ("   ", 0, "empty filter"),
            ("(a eq 1", 7, "expected ')'"),
            ("a eq 1)", 6, "after the end of the expression"),
            ("a eq 'abc", 5, "unterminated string literal"),
            ("a has 'x'", 2, "expected an operator"),
            ("a == 1", 2, "unexpected character '='"),
            ("substringof('x',a)", 0, "unknown function 'substringof'"),
            ("a eq 1 b eq 2", 7, "after the end of the expression"),
            ("a eq b", 5, "expected a literal value"),
            ("a in ()", 6, "expected a literal value"),
            ("a eq 12abc", 5, "malformed number"),
            ("a eq 2026-11-20", 5, "malformed date-time"),
            ("a eq 99999999999999999999", 5, "out of range"),
            ("a/$count/b eq 1", 9, "'$count' must be the last segment"),
            ("$count eq 1", 0, "'$count' must follow"),
            ("a/ eq 1", 2, "expected a property name"),
            ("x/all()", 6, "expected a lambda variable name"),
            ("x/any(p p eq 1)", 8, "expected ':'"),
            ("x/any(p: p eq 1) and p eq 2", 21, "'p' is used outside its lambda"),
            ("p/id eq 2 or x/any(p: p eq 1)", 0, "'p' is used outside its lambda"),
            ("x/any(p: p/y/any(p: p eq 1))", 17, "'p' is already in use"),
            ("startswith(a, 1)", 14, "startswith expects a quoted string"),
            ("and eq 1", 0, "found keyword 'and'"),
        ];
        for (text, position, message) in cases {
            let e = error(text);
            assert!(e.message.contains(message), "{text}: {e}");
            assert_eq!(e.position, position, "{text}: {e}");
        }
        assert_eq!(error("(a eq 1").to_string(), "at 7: expected ')', found end of input");
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        assert_eq!(error("a eq 'ü日' and").position, 13);
    }

    /// Token soup never panics, and whatever parses prints back to the same tree.
    #[test]
    fn random_token_soup_parses_or_fails_cleanly() {
        const PIECES: [&str; 30] = [
            "(",
            ")",
            "'",
            "a",
            "/",
            "any",
            " eq ",
            " ",
            "1",
            "-",
            "$count",
            ":",
            ",",
            " not ",
            "2026-11-20T08:00:00Z",
            "6fd2c87f-b296-42f0-b197-1e91e994b900",
            "x/any(p:",
            "p",
            " in ",
            "startswith(",
            "-INF",
            "ü",
            "e",
            ".",
            " and ",
            " or ",
            "a eq 1",
            "p eq 'x'",
            "b/$count gt -2.5",
            "not ",
        ];
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as usize
        };
        let mut parsed = 0;
        for _ in 0..20_000 {
            let pieces = next() % 12;
            let text: String = (0..pieces).map(|_| PIECES[next() % PIECES.len()]).collect();
            if let Ok(e) = parse_filter(&text) {
                assert_eq!(parse_filter(&e.to_string()), Ok(e), "{text}");
                parsed += 1;
            }
        }
        assert!(parsed > 100, "only {parsed} parsed");
    }

    #[test]
    fn limits_hostile_input() {
        let deep = format!("{}a eq 1{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(error(&deep).message.contains("filter is longer than 4096"));
        let deep = format!("{}a eq 1{}", "(".repeat(40), ")".repeat(40));
        assert!(error(&deep).message.contains("nested deeper than 32"));
        let nots = format!("{}a eq 1", "not ".repeat(40));
        assert!(error(&nots).message.contains("nested deeper than 32"));
        let ok = format!("{}a eq 1{}", "(".repeat(20), ")".repeat(20));
        assert_eq!(parse(&ok), Expr::eq("a", 1));
        let long = format!("a eq '{}'", "x".repeat(4090));
        assert!(error(&long).message.contains("longer than"));
    }
}
