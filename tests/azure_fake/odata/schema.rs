//! What a filter may name on one endpoint: the entity's properties (their canonical case)
//! and the functions the endpoint supports.

use std::collections::HashMap;

use super::ast::{Expr, Literal, Operand, Visit};

/// The properties and functions of one entity type.
#[derive(Debug, Clone)]
pub struct Schema {
    /// The entity type, for messages (`microsoft.graph.signIn`).
    pub entity: String,
    /// Lowercased name → canonical name.
    props: HashMap<String, String>,
    /// Functions a filter may call.
    pub functions: Vec<&'static str>,
    /// Top-level `Edm.DateTimeOffset` properties: they compare only with unquoted
    /// date-times, and no property compares with an unquoted GUID (Graph's typing).
    datetimes: Vec<String>,
}

impl Default for Schema {
    fn default() -> Self {
        Schema::new("", Vec::new(), &[])
    }
}

impl Schema {
    /// A schema with `props` and `functions`.
    pub fn new(
        entity: &str,
        props: impl IntoIterator<Item = String>,
        functions: &[&'static str],
    ) -> Self {
        Self {
            entity: entity.to_string(),
            props: props
                .into_iter()
                .map(|p| (p.to_ascii_lowercase(), p))
                .collect(),
            functions: functions.to_vec(),
            datetimes: Vec::new(),
        }
    }

    /// Types `props` as `Edm.DateTimeOffset` and turns Graph's literal typing on.
    pub fn with_datetimes(mut self, props: &[&str]) -> Self {
        self.datetimes = props.iter().map(|p| p.to_string()).collect();
        self
    }

    /// Adds a property.
    pub fn add(&mut self, prop: &str) {
        self.props
            .entry(prop.to_ascii_lowercase())
            .or_insert_with(|| prop.to_string());
    }

    /// The canonical name of `prop`, if the entity has it.
    pub fn property(&self, prop: &str) -> Option<&str> {
        self.props
            .get(&prop.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// The "no such property" message Graph gives.
    pub fn unknown(&self, prop: &str) -> String {
        format!(
            "Could not find a property named '{prop}' on type '{}'.",
            self.entity
        )
    }

    /// Checks every property and function `expr` names, and puts property names in their
    /// canonical case.
    pub fn check(&self, expr: &mut Expr) -> Result<(), String> {
        let mut problem = None;
        expr.walk(&mut Vec::new(), &mut |v| {
            if problem.is_some() {
                return;
            }
            match v {
                Visit::Property(p) => {
                    if let Some(first) = p.first() {
                        if self.property(first).is_none() {
                            problem = Some(self.unknown(first));
                        }
                    }
                }
                Visit::Function(f) => {
                    if !self.functions.contains(&f) {
                        problem = Some(format!("The function '{f}' is not supported here."));
                    }
                }
            }
        });
        if let Some(p) = problem {
            return Err(p);
        }
        canonicalize(expr, self, &mut Vec::new());
        if !self.datetimes.is_empty() {
            self.check_types(expr)?;
        }
        Ok(())
    }

    /// Graph's literal typing: a date-time property takes an unquoted date-time, and string
    /// properties (every id is one) do not take unquoted GUIDs.
    fn check_types(&self, expr: &Expr) -> Result<(), String> {
        let incompatible = |a: &str, b: &str| {
            format!("A binary operator with incompatible types was detected. Found operand types '{a}' and '{b}'.")
        };
        match expr {
            Expr::Or(a, b) | Expr::And(a, b) => {
                self.check_types(a)?;
                self.check_types(b)
            }
            Expr::Not(a) => self.check_types(a),
            Expr::Lambda {
                body: Some((_, b)), ..
            } => self.check_types(b),
            Expr::Cmp(l, _, r) => {
                let (path, lit) = match (l, r) {
                    (Operand::Path(p), Operand::Lit(lit))
                    | (Operand::Lit(lit), Operand::Path(p)) => (p, lit),
                    _ => return Ok(()),
                };
                let datetime = path.len() == 1 && self.datetimes.contains(&path[0]);
                match lit {
                    Literal::Guid(_) => Err(incompatible("Edm.String", "Edm.Guid")),
                    Literal::Str(_) if datetime => {
                        Err(incompatible("Edm.DateTimeOffset", "Edm.String"))
                    }
                    Literal::Num(_) | Literal::Bool(_) if datetime => {
                        Err(incompatible("Edm.DateTimeOffset", "Edm.Int32"))
                    }
                    Literal::Instant(_) if !datetime => {
                        Err(incompatible("Edm.String", "Edm.DateTimeOffset"))
                    }
                    _ => Ok(()),
                }
            }
            Expr::In(_, list) if list.iter().any(|l| matches!(l, Literal::Guid(_))) => {
                Err(incompatible("Edm.String", "Edm.Guid"))
            }
            _ => Ok(()),
        }
    }
}

fn canonicalize(expr: &mut Expr, schema: &Schema, vars: &mut Vec<String>) {
    let fix = |p: &mut Vec<String>, vars: &Vec<String>| {
        if let Some(first) = p.first_mut() {
            if !vars.contains(first) {
                if let Some(c) = schema.property(first) {
                    *first = c.to_string();
                }
            }
        }
    };
    match expr {
        Expr::Or(a, b) | Expr::And(a, b) => {
            canonicalize(a, schema, vars);
            canonicalize(b, schema, vars);
        }
        Expr::Not(a) => canonicalize(a, schema, vars),
        Expr::Cmp(l, _, r) => {
            for o in [l, r] {
                if let Operand::Path(p) = o {
                    fix(p, vars);
                }
            }
        }
        Expr::In(o, _) | Expr::Truthy(o) => {
            if let Operand::Path(p) = o {
                fix(p, vars);
            }
        }
        Expr::Call(_, args) => {
            for o in args {
                if let Operand::Path(p) = o {
                    fix(p, vars);
                }
            }
        }
        Expr::Lambda { path, body, .. } => {
            fix(path, vars);
            if let Some((var, body)) = body {
                vars.push(var.clone());
                canonicalize(body, schema, vars);
                vars.pop();
            }
        }
    }
}
