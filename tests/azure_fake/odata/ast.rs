//! The syntax tree of a `$filter` expression.

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number.
    Num(f64),
    /// A quoted string.
    Str(String),
    /// An unquoted date-time (100 ns ticks since the epoch).
    Instant(i64),
    /// An unquoted GUID (lowercase).
    Guid(String),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
}

impl CmpOp {
    /// The operator with its operands swapped (`a lt b` is `b gt a`).
    pub fn flipped(self) -> Self {
        match self {
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            other => other,
        }
    }
}

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A property path (`status/errorCode`), or a lambda variable and its sub-path.
    Path(Vec<String>),
    /// A literal.
    Lit(Literal),
}

/// A boolean expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `a or b`
    Or(Box<Expr>, Box<Expr>),
    /// `a and b`
    And(Box<Expr>, Box<Expr>),
    /// `not a`
    Not(Box<Expr>),
    /// `a op b`
    Cmp(Operand, CmpOp, Operand),
    /// `a in (l1, l2, …)`
    In(Operand, Vec<Literal>),
    /// A boolean function: `startswith(p, 'x')`, `atScope()`, …
    Call(String, Vec<Operand>),
    /// `path/any(v: body)` or `path/all(v: body)`; `any()` without a body is "not empty".
    Lambda {
        /// The collection.
        path: Vec<String>,
        /// `all` rather than `any`.
        all: bool,
        /// The variable and body, if any.
        body: Option<(String, Box<Expr>)>,
    },
    /// A bare boolean operand (`isInteractive`, `true`).
    Truthy(Operand),
}

impl Expr {
    /// The top-level `and` operands (the expression itself when it is not an `and`).
    pub fn conjuncts(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            match e {
                Expr::And(a, b) => {
                    stack.push(b);
                    stack.push(a);
                }
                other => out.push(other),
            }
        }
        out
    }

    /// The top-level `or` operands.
    pub fn disjuncts(&self) -> Vec<&Expr> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Or(a, b) => {
                    stack.push(b);
                    stack.push(a);
                }
                other => out.push(other),
            }
        }
        out
    }

    /// Visits every property path outside lambda bodies' variables (first segments), and
    /// every function name, depth first.
    pub fn walk(&self, vars: &mut Vec<String>, f: &mut dyn FnMut(Visit<'_>)) {
        match self {
            Expr::Or(a, b) | Expr::And(a, b) => {
                a.walk(vars, f);
                b.walk(vars, f);
            }
            Expr::Not(a) => a.walk(vars, f),
            Expr::Cmp(l, _, r) => {
                walk_operand(l, vars, f);
                walk_operand(r, vars, f);
            }
            Expr::In(l, _) | Expr::Truthy(l) => walk_operand(l, vars, f),
            Expr::Call(name, args) => {
                f(Visit::Function(name));
                for a in args {
                    walk_operand(a, vars, f);
                }
            }
            Expr::Lambda { path, body, .. } => {
                walk_path(path, vars, f);
                if let Some((var, body)) = body {
                    vars.push(var.clone());
                    body.walk(vars, f);
                    vars.pop();
                }
            }
        }
    }
}

/// What [`Expr::walk`] visits.
#[derive(Debug, Clone, Copy)]
pub enum Visit<'a> {
    /// A property path rooted at the record.
    Property(&'a [String]),
    /// A function name.
    Function(&'a str),
}

fn walk_operand(o: &Operand, vars: &[String], f: &mut dyn FnMut(Visit<'_>)) {
    if let Operand::Path(p) = o {
        walk_path(p, vars, f);
    }
}

fn walk_path(p: &[String], vars: &[String], f: &mut dyn FnMut(Visit<'_>)) {
    if p.first().is_some_and(|s| !vars.contains(s)) {
        f(Visit::Property(p));
    }
}
