//! A recursive-descent parser for the `$filter` subset Graph and ARM use: comparisons,
//! `and` / `or` / `not`, parentheses, `in (…)`, boolean functions and `any` / `all` lambdas.

use super::ast::{CmpOp, Expr, Literal, Operand};
use super::lexer::{tokens, Tok};

/// Parses a `$filter` expression.
pub fn parse(text: &str) -> Result<Expr, String> {
    let toks = tokens(text)?;
    if toks.is_empty() {
        return Err("the filter is empty".into());
    }
    let mut p = Parser { toks, at: 0 };
    let e = p.or_expr()?;
    match p.peek() {
        None => Ok(e),
        Some(t) => Err(format!(
            "unexpected {} after a complete expression",
            show(t)
        )),
    }
}

struct Parser {
    toks: Vec<Tok>,
    at: usize,
}

fn show(t: &Tok) -> String {
    match t {
        Tok::Open => "'('".into(),
        Tok::Close => "')'".into(),
        Tok::Comma => "','".into(),
        Tok::Slash => "'/'".into(),
        Tok::Colon => "':'".into(),
        Tok::Str(s) => format!("'{s}'"),
        Tok::Word(w) => format!("'{w}'"),
        Tok::Num(n) => format!("{n}"),
        Tok::Instant(_) => "a date-time".into(),
        Tok::Guid(g) => g.clone(),
    }
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }

    fn peek_at(&self, k: usize) -> Option<&Tok> {
        self.toks.get(self.at + k)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn word_is(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x == w)
    }

    fn expect(&mut self, t: &Tok) -> Result<(), String> {
        match self.next() {
            Some(ref x) if x == t => Ok(()),
            Some(x) => Err(format!("expected {} but found {}", show(t), show(&x))),
            None => Err(format!("expected {} but the filter ended", show(t))),
        }
    }

    fn or_expr(&mut self) -> Result<Expr, String> {
        let mut e = self.and_expr()?;
        while self.word_is("or") {
            self.at += 1;
            let r = self.and_expr()?;
            e = Expr::Or(Box::new(e), Box::new(r));
        }
        Ok(e)
    }

    fn and_expr(&mut self) -> Result<Expr, String> {
        let mut e = self.unary()?;
        while self.word_is("and") {
            self.at += 1;
            let r = self.unary()?;
            e = Expr::And(Box::new(e), Box::new(r));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.word_is("not") {
            self.at += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Tok::Open) {
            self.at += 1;
            let e = self.or_expr()?;
            self.expect(&Tok::Close)?;
            return Ok(e);
        }
        self.predicate()
    }

    /// A comparison, an `in`, a function call, a lambda or a bare operand.
    fn predicate(&mut self) -> Result<Expr, String> {
        if let (Some(Tok::Word(name)), Some(Tok::Open)) = (self.peek(), self.peek_at(1)) {
            if !is_keyword(name) {
                let name = name.clone();
                self.at += 2;
                let args = self.args()?;
                let call = Expr::Call(name, args);
                return self.boolean_comparison(call);
            }
        }
        let left = self.operand()?;
        if let Operand::Path(path) = &left {
            if self.peek() == Some(&Tok::Slash) {
                let lambda = self.lambda(path.clone())?;
                return self.boolean_comparison(lambda);
            }
        }
        match self.peek() {
            Some(Tok::Word(w)) if w == "in" => {
                self.at += 1;
                self.expect(&Tok::Open)?;
                let mut list = vec![self.literal()?];
                while self.peek() == Some(&Tok::Comma) {
                    self.at += 1;
                    list.push(self.literal()?);
                }
                self.expect(&Tok::Close)?;
                Ok(Expr::In(left, list))
            }
            Some(Tok::Word(w)) if cmp_op(w).is_some() => {
                let op = cmp_op(w).unwrap_or(CmpOp::Eq);
                self.at += 1;
                let right = self.operand()?;
                Ok(Expr::Cmp(left, op, right))
            }
            _ => Ok(Expr::Truthy(left)),
        }
    }

    /// `expr eq true` / `expr eq false` after a boolean function or lambda.
    fn boolean_comparison(&mut self, e: Expr) -> Result<Expr, String> {
        let op = match self.peek() {
            Some(Tok::Word(w)) if w == "eq" || w == "ne" => w.clone(),
            _ => return Ok(e),
        };
        self.at += 1;
        let want = match self.next() {
            Some(Tok::Word(b)) if b == "true" => true,
            Some(Tok::Word(b)) if b == "false" => false,
            Some(t) => {
                return Err(format!(
                    "a boolean function compares only with true or false, not {}",
                    show(&t)
                ))
            }
            None => return Err("the filter ended after a comparison operator".into()),
        };
        Ok(if want == (op == "eq") {
            e
        } else {
            Expr::Not(Box::new(e))
        })
    }

    /// Function arguments after `(`, through `)`.
    fn args(&mut self) -> Result<Vec<Operand>, String> {
        let mut args = Vec::new();
        if self.peek() == Some(&Tok::Close) {
            self.at += 1;
            return Ok(args);
        }
        loop {
            args.push(self.operand()?);
            match self.next() {
                Some(Tok::Comma) => {}
                Some(Tok::Close) => return Ok(args),
                Some(t) => {
                    return Err(format!(
                        "expected ',' or ')' in arguments, found {}",
                        show(&t)
                    ))
                }
                None => return Err("unterminated function arguments".into()),
            }
        }
    }

    /// `/any(v: body)` or `/all(v: body)` after `path`.
    fn lambda(&mut self, path: Vec<String>) -> Result<Expr, String> {
        self.expect(&Tok::Slash)?;
        let all = match self.next() {
            Some(Tok::Word(w)) if w == "any" => false,
            Some(Tok::Word(w)) if w == "all" => true,
            Some(t) => return Err(format!("expected any or all after '/', found {}", show(&t))),
            None => return Err("the filter ended after '/'".into()),
        };
        self.expect(&Tok::Open)?;
        if self.peek() == Some(&Tok::Close) {
            self.at += 1;
            if all {
                return Err("all() needs a lambda expression".into());
            }
            return Ok(Expr::Lambda {
                path,
                all,
                body: None,
            });
        }
        let var = match self.next() {
            Some(Tok::Word(v)) if !is_keyword(&v) => v,
            Some(t) => return Err(format!("expected a lambda variable, found {}", show(&t))),
            None => return Err("unterminated lambda".into()),
        };
        self.expect(&Tok::Colon)?;
        let body = self.or_expr()?;
        self.expect(&Tok::Close)?;
        Ok(Expr::Lambda {
            path,
            all,
            body: Some((var, Box::new(body))),
        })
    }

    fn operand(&mut self) -> Result<Operand, String> {
        match self.peek() {
            Some(Tok::Word(w)) if matches!(w.as_str(), "true" | "false" | "null") => {
                Ok(Operand::Lit(self.literal()?))
            }
            Some(Tok::Word(w)) if is_keyword(w) => Err(format!("unexpected keyword '{w}'")),
            Some(Tok::Word(_)) => {
                let mut path = Vec::new();
                if let Some(Tok::Word(w)) = self.next() {
                    path.push(w);
                }
                while self.peek() == Some(&Tok::Slash) {
                    match self.peek_at(1) {
                        Some(Tok::Word(w))
                            if (w == "any" || w == "all")
                                && self.peek_at(2) == Some(&Tok::Open) =>
                        {
                            break
                        }
                        Some(Tok::Word(w)) if !is_keyword(w) => {
                            path.push(w.clone());
                            self.at += 2;
                        }
                        Some(t) => {
                            return Err(format!(
                                "expected a property name after '/', found {}",
                                show(t)
                            ))
                        }
                        None => return Err("the filter ended after '/'".into()),
                    }
                }
                Ok(Operand::Path(path))
            }
            Some(_) => Ok(Operand::Lit(self.literal()?)),
            None => Err("the filter ended where a value was expected".into()),
        }
    }

    fn literal(&mut self) -> Result<Literal, String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Literal::Str(s)),
            Some(Tok::Num(n)) => Ok(Literal::Num(n)),
            Some(Tok::Instant(t)) => Ok(Literal::Instant(t)),
            Some(Tok::Guid(g)) => Ok(Literal::Guid(g)),
            Some(Tok::Word(w)) if w == "true" => Ok(Literal::Bool(true)),
            Some(Tok::Word(w)) if w == "false" => Ok(Literal::Bool(false)),
            Some(Tok::Word(w)) if w == "null" => Ok(Literal::Null),
            Some(t) => Err(format!("expected a literal, found {}", show(&t))),
            None => Err("the filter ended where a literal was expected".into()),
        }
    }
}

fn cmp_op(w: &str) -> Option<CmpOp> {
    Some(match w {
        "eq" => CmpOp::Eq,
        "ne" => CmpOp::Ne,
        "gt" => CmpOp::Gt,
        "ge" => CmpOp::Ge,
        "lt" => CmpOp::Lt,
        "le" => CmpOp::Le,
        _ => return None,
    })
}

fn is_keyword(w: &str) -> bool {
    matches!(
        w,
        "and"
            | "or"
            | "not"
            | "eq"
            | "ne"
            | "gt"
            | "ge"
            | "lt"
            | "le"
            | "in"
            | "true"
            | "false"
            | "null"
    )
}
