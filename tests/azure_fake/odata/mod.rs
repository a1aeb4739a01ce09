//! The OData `$filter` subset Graph and ARM use: parsing, checking against an endpoint's
//! [`Schema`], evaluating, and reading the bounds a server uses to narrow its scan.

mod ast;
mod eval;
mod lexer;
mod parser;
mod schema;

use serde_json::{Map, Value};

pub use ast::{CmpOp, Expr, Literal, Operand};
pub use lexer::is_guid;
pub use parser::parse;
pub use schema::Schema;

use super::records::parse_instant;

/// A checked filter, with the top-level properties it reads.
#[derive(Debug, Clone)]
pub struct Filter {
    /// The expression.
    pub expr: Expr,
    /// Top-level properties it reads (what to parse of a record).
    pub keys: Vec<String>,
}

/// Bounds on a time field from a filter's top-level `and`s: `(ticks, inclusive)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    /// The lower bound.
    pub lo: Option<(i64, bool)>,
    /// The upper bound.
    pub hi: Option<(i64, bool)>,
}

impl Filter {
    /// Parses `text` and checks it against `schema`.
    pub fn new(text: &str, schema: &Schema) -> Result<Self, String> {
        let mut expr = parse(text)?;
        schema.check(&mut expr)?;
        Ok(Self::from_expr(expr))
    }

    /// A filter from an expression already checked (or built) by the caller.
    pub fn from_expr(expr: Expr) -> Self {
        let mut keys: Vec<String> = Vec::new();
        expr.walk(&mut Vec::new(), &mut |v| {
            if let ast::Visit::Property(p) = v {
                if let Some(first) = p.first() {
                    if !keys.contains(first) {
                        keys.push(first.clone());
                    }
                }
            }
        });
        Self { expr, keys }
    }

    /// Whether `record` (holding at least [`Self::keys`]) satisfies the filter.
    pub fn matches(&self, record: &Map<String, Value>) -> bool {
        eval::matches(&self.expr, record)
    }

    /// Whether the filter reads the top-level property `prop`.
    pub fn mentions(&self, prop: &str) -> bool {
        self.keys.iter().any(|k| k == prop)
    }

    /// The bounds the top-level `and`s put on the time field `field`.
    pub fn time_range(&self, field: &str) -> TimeRange {
        let mut r = TimeRange::default();
        for c in self.expr.conjuncts() {
            let Expr::Cmp(l, op, rhs) = c else { continue };
            let (path, op, lit) = match (l, rhs) {
                (Operand::Path(p), Operand::Lit(lit)) => (p, *op, lit),
                (Operand::Lit(lit), Operand::Path(p)) => (p, op.flipped(), lit),
                _ => continue,
            };
            if path.len() != 1 || path[0] != field {
                continue;
            }
            let t = match lit {
                Literal::Instant(t) => *t,
                Literal::Str(s) => match parse_instant(s) {
                    Some(t) => t,
                    None => continue,
                },
                _ => continue,
            };
            let tighter_lo = |old: Option<(i64, bool)>, new: (i64, bool)| match old {
                Some(o) if o.0 > new.0 || (o.0 == new.0 && !o.1) => Some(o),
                _ => Some(new),
            };
            let tighter_hi = |old: Option<(i64, bool)>, new: (i64, bool)| match old {
                Some(o) if o.0 < new.0 || (o.0 == new.0 && !o.1) => Some(o),
                _ => Some(new),
            };
            match op {
                CmpOp::Ge => r.lo = tighter_lo(r.lo, (t, true)),
                CmpOp::Gt => r.lo = tighter_lo(r.lo, (t, false)),
                CmpOp::Le => r.hi = tighter_hi(r.hi, (t, true)),
                CmpOp::Lt => r.hi = tighter_hi(r.hi, (t, false)),
                CmpOp::Eq => {
                    r.lo = tighter_lo(r.lo, (t, true));
                    r.hi = tighter_hi(r.hi, (t, true));
                }
                CmpOp::Ne => {}
            }
        }
        r
    }

    /// The values a top-level `and` restricts the collection `prop` to with
    /// `prop/any(t: t eq 'a' [or t eq 'b' …])` (or an `or` of such lambdas), lowercased.
    pub fn any_values(&self, prop: &str) -> Option<Vec<String>> {
        self.expr
            .conjuncts()
            .into_iter()
            .find_map(|c| lambda_values(c, prop))
    }
}

fn lambda_values(e: &Expr, prop: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for d in e.disjuncts() {
        let Expr::Lambda {
            path,
            all: false,
            body: Some((var, body)),
        } = d
        else {
            return None;
        };
        if path.len() != 1 || path[0] != prop {
            return None;
        }
        for b in body.disjuncts() {
            match b {
                Expr::Cmp(Operand::Path(p), CmpOp::Eq, Operand::Lit(Literal::Str(s)))
                | Expr::Cmp(Operand::Lit(Literal::Str(s)), CmpOp::Eq, Operand::Path(p))
                    if p.len() == 1 && &p[0] == var =>
                {
                    out.push(s.to_lowercase())
                }
                _ => return None,
            }
        }
    }
    Some(out)
}
