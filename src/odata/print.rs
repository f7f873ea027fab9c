//! Prints the syntax tree as the OData text Graph expects. This is the one place where a
//! user-supplied string becomes filter text, and it can only ever do so inside a quoted literal:
//! [`Literal::String`] doubles every `'`, and path segments that are not plain identifiers make
//! the printer fail rather than emit them. Printing then parsing gives back the same tree.

use std::fmt;

use chrono::SecondsFormat;

use super::ast::{CmpOp, Expr, Literal, Path};
use super::parse::is_identifier;

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(n) => write!(f, "{n}"),
            Literal::Float(x) if x.is_nan() => f.write_str("NaN"),
            Literal::Float(x) if x.is_infinite() => f.write_str(if *x > 0.0 { "INF" } else { "-INF" }),
            // `Debug` is the shortest text that reads back to the same value, and it always has a
            // `.` or an exponent (`1.0`, `1e300`), so the parser does not take it for an integer.
            Literal::Float(x) => write!(f, "{x:?}"),
            Literal::String(s) => quoted(f, s),
            Literal::Guid(id) => write!(f, "{}", id.hyphenated()),
            Literal::DateTime(t) => f.write_str(&t.to_rfc3339_opts(SecondsFormat::AutoSi, true)),
        }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return Err(fmt::Error);
        }
        for (i, segment) in self.0.iter().enumerate() {
            let count = segment == "$count" && i > 0 && i + 1 == self.0.len();
            // A segment is never quoted, so anything but an identifier could change the filter.
            if !is_identifier(segment) && !count {
                return Err(fmt::Error);
            }
            if i > 0 {
                f.write_str("/")?;
            }
            f.write_str(segment)?;
        }
        Ok(())
    }
}

impl fmt::Display for CmpOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
        })
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Compare { path, op, value } => write!(f, "{path} {op} {value}"),
            Expr::In { path, values } => {
                write!(f, "{path} in (")?;
                for (i, value) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{value}")?;
                }
                f.write_str(")")
            }
            Expr::StartsWith { path, prefix } => {
                write!(f, "startswith({path},")?;
                quoted(f, prefix)?;
                f.write_str(")")
            }
            Expr::EndsWith { path, suffix } => {
                write!(f, "endswith({path},")?;
                quoted(f, suffix)?;
                f.write_str(")")
            }
            Expr::Contains { path, text } => {
                write!(f, "contains({path},")?;
                quoted(f, text)?;
                f.write_str(")")
            }
            Expr::And(a, b) => binary(f, a, "and", b, true),
            Expr::Or(a, b) => binary(f, a, "or", b, false),
            Expr::Not(inner) => write!(f, "not({inner})"),
            Expr::Any { path, body: None, .. } => write!(f, "{path}/any()"),
            Expr::Any { path, var, body: Some(body) } => lambda(f, path, "any", var, body),
            Expr::All { path, var, body } => lambda(f, path, "all", var, body),
        }
    }
}

/// `'text'` with each `'` doubled: the only way text from outside reaches the filter.
fn quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    write!(f, "'{}'", s.replace('\'', "''"))
}

/// Prints `a and b` / `a or b`. An operand that is itself `and`/`or` of the other kind is
/// parenthesised so precedence never depends on the reader; a right operand of the same kind is
/// too, because the parser associates to the left and the tree must read back unchanged.
fn binary(f: &mut fmt::Formatter<'_>, a: &Expr, op: &str, b: &Expr, is_and: bool) -> fmt::Result {
    let needs_parens = |e: &Expr, right: bool| match e {
        Expr::And(..) => !is_and || right,
        Expr::Or(..) => is_and || right,
        _ => false,
    };
    operand(f, a, needs_parens(a, false))?;
    write!(f, " {op} ")?;
    operand(f, b, needs_parens(b, true))
}

fn operand(f: &mut fmt::Formatter<'_>, e: &Expr, parens: bool) -> fmt::Result {
    if parens { write!(f, "({e})") } else { write!(f, "{e}") }
}

fn lambda(f: &mut fmt::Formatter<'_>, path: &Path, op: &str, var: &str, body: &Expr) -> fmt::Result {
    if !is_identifier(var) {
        return Err(fmt::Error);
    }
    write!(f, "{path}/{op}({var}:{body})")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::parse_filter;
    use chrono::{DateTime, TimeZone, Utc};
    use uuid::Uuid;

    fn round_trip(e: &Expr) {
        let text = e.to_string();
        assert_eq!(parse_filter(&text).as_ref(), Ok(e), "text: {text}");
    }

    #[test]
    fn literals_print_as_graph_expects() {
        let t = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap();
        let id = Uuid::parse_str("6FD2C87F-B296-42F0-B197-1E91E994B900").unwrap();
        assert_eq!(Literal::from("O'Brien").to_string(), "'O''Brien'");
        assert_eq!(Literal::from(id).to_string(), "6fd2c87f-b296-42f0-b197-1e91e994b900");
        assert_eq!(Literal::from(t).to_string(), "2026-11-20T08:00:00Z");
        let frac = DateTime::parse_from_rfc3339("2026-11-20T08:00:00.250+02:00").unwrap();
        assert_eq!(Literal::from(frac.to_utc()).to_string(), "2026-11-20T06:00:00.250Z");
        assert_eq!(Literal::from(-5).to_string(), "-5");
        assert_eq!(Literal::Float(1.0).to_string(), "1.0");
        assert_eq!(Literal::Float(2.5e300).to_string(), "2.5e300");
        assert_eq!(Literal::from(true).to_string(), "true");
        assert_eq!(Literal::Null.to_string(), "null");
    }

    #[test]
    fn expressions_print_with_safe_precedence() {
        let e = Expr::eq("a", 1).or(Expr::eq("b", 2).and(Expr::eq("c", 3)));
        assert_eq!(e.to_string(), "a eq 1 or (b eq 2 and c eq 3)");
        let e = Expr::eq("a", 1).or(Expr::eq("b", 2)).and(Expr::eq("c", 3));
        assert_eq!(e.to_string(), "(a eq 1 or b eq 2) and c eq 3");
        let e = Expr::eq("a", 1).and(Expr::eq("b", 2).and(Expr::eq("c", 3)));
        assert_eq!(e.to_string(), "a eq 1 and (b eq 2 and c eq 3)");
        round_trip(&e);
        let e = Expr::conjunction([Expr::eq("a", 1), Expr::eq("b", 2), Expr::eq("c", 3)]).unwrap();
        assert_eq!(e.to_string(), "a eq 1 and b eq 2 and c eq 3");
        assert_eq!(Expr::eq("a", 1).negate().to_string(), "not(a eq 1)");
    }

    #[test]
    fn functions_lists_and_lambdas_print() {
        assert_eq!(Expr::starts_with("displayName", "Al").to_string(), "startswith(displayName,'Al')");
        assert_eq!(Expr::contains("displayName", "O'Sales").to_string(), "contains(displayName,'O''Sales')");
        let e = Expr::is_in("userType", vec!["Member".into(), "Guest".into()]);
        assert_eq!(e.to_string(), "userType in ('Member','Guest')");
        let e = Expr::any("appliedConditionalAccessPolicies", "p", Expr::eq("p/result", "failure"));
        assert_eq!(e.to_string(), "appliedConditionalAccessPolicies/any(p:p/result eq 'failure')");
        assert_eq!(Expr::any_nonempty("assignedLicenses").to_string(), "assignedLicenses/any()");
        assert_eq!(Expr::eq("assignedLicenses/$count", 0).to_string(), "assignedLicenses/$count eq 0");
    }

    #[test]
    fn hostile_strings_stay_inside_their_literal() {
        for s in [
            "O'Brien",
            "x' or 1 eq 1 or 'a",
            ")",
            "'",
            "''",
            "a eq 'b'",
            "Zoë 🚀 日本",
            "back\\slash %20 & $top=1",
            "6fd2c87f-b296-42f0-b197-1e91e994b900",
            "",
        ] {
            let e = Expr::eq("displayName", s).and(Expr::starts_with("mail", s));
            round_trip(&e);
            assert_eq!(e.property_paths(), ["displayName", "mail"]);
        }
    }

    #[test]
    fn invalid_path_segments_are_refused_not_printed() {
        let e = Expr::Compare { path: Path(vec!["a eq 1 or b".into()]), op: CmpOp::Eq, value: Literal::Int(1) };
        let mut out = String::new();
        assert!(fmt::write(&mut out, format_args!("{e}")).is_err());
        let mut out = String::new();
        assert!(fmt::write(&mut out, format_args!("{}", Path(vec![]))).is_err());
    }

    /// Deterministic xorshift64, so failures reproduce.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn coin(&mut self) -> bool {
            self.next() >> 63 == 1
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
            &items[self.below(items.len())]
        }

        fn string(&mut self) -> String {
            const PIECES: [&str; 16] =
                ["'", "''", "(", ")", " eq ", " or 1 eq 1", "ü", "日本", "🚀", "\\", "%", "&", "$", "a", " ", "\n"];
            (0..self.below(6)).map(|_| *self.pick(&PIECES)).collect()
        }

        fn literal(&mut self) -> Literal {
            match self.below(7) {
                0 => Literal::Null,
                1 => Literal::Bool(self.coin()),
                2 => Literal::Int(self.next() as i64 >> self.below(64)),
                3 => {
                    let x = f64::from_bits(self.next());
                    Literal::Float(if x.is_finite() { x } else { 0.5 })
                }
                4 => Literal::Guid(Uuid::from_u64_pair(self.next(), self.next())),
                5 => {
                    let secs = (self.next() % 4_000_000_000) as i64;
                    let nanos = [0, 1_000_000 * (self.next() % 1000), self.next() % 1_000_000_000];
                    let nanos = *self.pick(&nanos) as u32;
                    Literal::DateTime(DateTime::from_timestamp(secs, nanos).unwrap())
                }
                _ => Literal::String(self.string()),
            }
        }

        /// A path: a property, or one rooted at a lambda variable in scope.
        fn path(&mut self, vars: &[String]) -> Path {
            const PROPS: [&str; 5] =
                ["displayName", "status/errorCode", "assignedLicenses/$count", "location/city", "id"];
            if !vars.is_empty() && self.coin() {
                let var = self.pick(vars).clone();
                let mut segments = vec![var];
                if self.coin() {
                    segments.push("id".into());
                }
                return Path(segments);
            }
            Path(self.pick(&PROPS).split('/').map(String::from).collect())
        }

        fn expr(&mut self, depth: usize, vars: &mut Vec<String>) -> Expr {
            let leaf = depth == 0 || self.below(3) == 0;
            let choice = if leaf { self.below(5) } else { 5 + self.below(5) };
            match choice {
                0 => {
                    let op = *self.pick(&[CmpOp::Eq, CmpOp::Ne, CmpOp::Gt, CmpOp::Ge, CmpOp::Lt, CmpOp::Le]);
                    Expr::Compare { path: self.path(vars), op, value: self.literal() }
                }
                1 => {
                    let values = (0..1 + self.below(3)).map(|_| self.literal()).collect();
                    Expr::In { path: self.path(vars), values }
                }
                2 => Expr::StartsWith { path: self.path(vars), prefix: self.string() },
                3 => Expr::EndsWith { path: self.path(vars), suffix: self.string() },
                4 => Expr::Contains { path: self.path(vars), text: self.string() },
                5 => Expr::And(Box::new(self.expr(depth - 1, vars)), Box::new(self.expr(depth - 1, vars))),
                6 => Expr::Or(Box::new(self.expr(depth - 1, vars)), Box::new(self.expr(depth - 1, vars))),
                7 => Expr::Not(Box::new(self.expr(depth - 1, vars))),
                _ => {
                    let path = match vars.last() {
                        Some(outer) if self.coin() => Path(vec![outer.clone(), "items".into()]),
                        _ => Path(vec!["targetResources".into()]),
                    };
                    if self.below(4) == 0 {
                        return Expr::Any { path, var: String::new(), body: None };
                    }
                    // Nested lambdas get distinct names; siblings may reuse one.
                    let var = format!("v{}", vars.len());
                    vars.push(var.clone());
                    let body = Box::new(self.expr(depth - 1, vars));
                    vars.pop();
                    if self.coin() { Expr::All { path, var, body } } else { Expr::Any { path, var, body: Some(body) } }
                }
            }
        }
    }

    #[test]
    fn random_expressions_round_trip() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut checked = 0;
        for _ in 0..3000 {
            let e = rng.expr(4, &mut Vec::new());
            if e.to_string().chars().count() <= 4096 {
                round_trip(&e);
                checked += 1;
            }
        }
        assert!(checked > 2900, "only {checked} expressions were short enough");
    }
}
