//! Evaluating a `$filter` expression against a record (its top-level properties).
//!
//! Semantics follow Graph: string comparisons ignore case; a string that holds a date-time
//! compares as an instant with a date-time literal or with another date-time string (ARM
//! quotes its `eventTimestamp` bounds); a missing property is `null`.

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::super::records::parse_instant;
use super::ast::{CmpOp, Expr, Literal, Operand};

/// Lambda variables in scope, innermost last.
type Scope<'v> = Vec<(&'v str, &'v Value)>;

/// Whether `record` satisfies `expr`.
pub fn matches(expr: &Expr, record: &Map<String, Value>) -> bool {
    eval(expr, record, &mut Vec::new())
}

fn eval<'v>(expr: &'v Expr, rec: &'v Map<String, Value>, scope: &mut Scope<'v>) -> bool {
    match expr {
        Expr::Or(a, b) => eval(a, rec, scope) || eval(b, rec, scope),
        Expr::And(a, b) => eval(a, rec, scope) && eval(b, rec, scope),
        Expr::Not(a) => !eval(a, rec, scope),
        Expr::Cmp(l, op, r) => match (l, r) {
            (Operand::Path(p), Operand::Lit(lit)) => compare(resolve(p, rec, scope), *op, lit),
            (Operand::Lit(lit), Operand::Path(p)) => {
                compare(resolve(p, rec, scope), op.flipped(), lit)
            }
            (Operand::Path(a), Operand::Path(b)) => {
                let (a, b) = (resolve(a, rec, scope), resolve(b, rec, scope));
                match op {
                    CmpOp::Eq => a == b,
                    CmpOp::Ne => a != b,
                    _ => false,
                }
            }
            (Operand::Lit(a), Operand::Lit(b)) => {
                let a = literal_value(a);
                compare(Some(&a), *op, b)
            }
        },
        Expr::In(o, list) => {
            let v = match o {
                Operand::Path(p) => resolve(p, rec, scope).cloned(),
                Operand::Lit(l) => Some(literal_value(l)),
            };
            list.iter().any(|l| compare(v.as_ref(), CmpOp::Eq, l))
        }
        Expr::Call(name, args) => call(name, args, rec, scope),
        Expr::Lambda { path, all, body } => {
            let items = match resolve(path, rec, scope) {
                Some(Value::Array(items)) => items,
                _ => return *all,
            };
            match body {
                None => !items.is_empty(),
                Some((var, body)) => {
                    let mut test = |item: &'v Value| {
                        scope.push((var.as_str(), item));
                        let ok = eval(body, rec, scope);
                        scope.pop();
                        ok
                    };
                    if *all {
                        items.iter().all(&mut test)
                    } else {
                        items.iter().any(&mut test)
                    }
                }
            }
        }
        Expr::Truthy(o) => match o {
            Operand::Path(p) => resolve(p, rec, scope) == Some(&Value::Bool(true)),
            Operand::Lit(l) => *l == Literal::Bool(true),
        },
    }
}

/// The value at `path`, from a lambda variable or from the record.
fn resolve<'v>(
    path: &[String],
    rec: &'v Map<String, Value>,
    scope: &Scope<'v>,
) -> Option<&'v Value> {
    let (first, rest) = path.split_first()?;
    let mut v = match scope.iter().rev().find(|(name, _)| name == first) {
        Some((_, bound)) => *bound,
        None => rec.get(first.as_str())?,
    };
    for seg in rest {
        v = v.as_object()?.get(seg.as_str())?;
    }
    Some(v)
}

fn literal_value(l: &Literal) -> Value {
    match l {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Num(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
        Literal::Str(s) | Literal::Guid(s) => Value::String(s.clone()),
        Literal::Instant(t) => Value::String(format!("@ticks:{t}")),
    }
}

fn instant_of(s: &str) -> Option<i64> {
    if let Some(t) = s.strip_prefix("@ticks:") {
        return t.parse().ok();
    }
    let b = s.as_bytes();
    let date_like = b.len() >= 10 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-';
    if date_like {
        parse_instant(s)
    } else {
        None
    }
}

/// `value op literal`.
fn compare(value: Option<&Value>, op: CmpOp, lit: &Literal) -> bool {
    let value = value.filter(|v| !v.is_null());
    let Some(value) = value else {
        return match (lit, op) {
            (Literal::Null, CmpOp::Eq) => true,
            (Literal::Null, CmpOp::Ne) => false,
            (_, CmpOp::Ne) => true,
            _ => false,
        };
    };
    let ord = match (lit, value) {
        (Literal::Null, _) => return op == CmpOp::Ne,
        (Literal::Bool(b), Value::Bool(v)) => Some(v.cmp(b)),
        (Literal::Num(n), Value::Number(v)) => v.as_f64().and_then(|v| v.partial_cmp(n)),
        (Literal::Num(n), Value::String(s)) => s.parse::<f64>().ok().and_then(|v| v.partial_cmp(n)),
        (Literal::Instant(t), Value::String(s)) => instant_of(s).map(|v| v.cmp(t)),
        (Literal::Guid(g), Value::String(s)) => Some(s.to_ascii_lowercase().cmp(g)),
        (Literal::Str(l), Value::String(s)) => Some(compare_strings(s, l)),
        (Literal::Str(l), Value::Bool(b)) => {
            Some(b.to_string().as_str().cmp(l.to_ascii_lowercase().as_str()))
        }
        (Literal::Str(l), Value::Number(n)) => l
            .parse::<f64>()
            .ok()
            .and_then(|l| n.as_f64()?.partial_cmp(&l)),
        _ => None,
    };
    match ord {
        None => op == CmpOp::Ne,
        Some(o) => match op {
            CmpOp::Eq => o == Ordering::Equal,
            CmpOp::Ne => o != Ordering::Equal,
            CmpOp::Gt => o == Ordering::Greater,
            CmpOp::Ge => o != Ordering::Less,
            CmpOp::Lt => o == Ordering::Less,
            CmpOp::Le => o != Ordering::Greater,
        },
    }
}

/// Two strings: as instants when both are date-times, else ignoring case.
fn compare_strings(value: &str, lit: &str) -> Ordering {
    if let (Some(a), Some(b)) = (instant_of(value), instant_of(lit)) {
        return a.cmp(&b);
    }
    value.to_lowercase().cmp(&lit.to_lowercase())
}

/// The generic boolean functions (endpoint-specific ones are answered by their endpoint).
fn call<'v>(
    name: &str,
    args: &'v [Operand],
    rec: &'v Map<String, Value>,
    scope: &Scope<'v>,
) -> bool {
    let text = |o: &'v Operand| -> Option<String> {
        match o {
            Operand::Path(p) => resolve(p, rec, scope)?.as_str().map(str::to_lowercase),
            Operand::Lit(Literal::Str(s)) | Operand::Lit(Literal::Guid(s)) => {
                Some(s.to_lowercase())
            }
            Operand::Lit(_) => None,
        }
    };
    let (Some(a), Some(b)) = (args.first().and_then(text), args.get(1).and_then(text)) else {
        return false;
    };
    match name {
        "startswith" => a.starts_with(&b),
        "endswith" => a.ends_with(&b),
        "contains" => a.contains(&b),
        _ => false,
    }
}
