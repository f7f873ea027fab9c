//! The OData `$filter` language as Graph speaks it: one syntax tree shared by the query
//! builder (which prints it, escaping every literal), the allow-listed `filter` parameter of a
//! few skills (which parses the model's text, checks it, and prints it again), and the demo
//! emulator (which evaluates it against its synthetic tenant).
//!
//! Keeping a single tree means there is exactly one place where a user-supplied string is turned
//! into OData text: [`Literal`]'s printer.

mod ast;
mod eval;
mod parse;
mod print;

pub use ast::{CmpOp, Expr, Literal, Path};
pub use eval::{compare_json, evaluate};
pub use parse::{ParseError, parse_filter};
