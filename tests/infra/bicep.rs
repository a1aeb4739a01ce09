//! Bicep templates parsed with the tree-sitter-bicep grammar, and the few queries the
//! checks need: syntax errors with their positions, top-level declarations, object
//! entries, string literals and function calls.

use std::path::{Path, PathBuf};

use tree_sitter::{Node, Parser, Tree};

/// The repository root.
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The `infra/` folder.
pub fn infra_dir() -> PathBuf {
    repo_root().join("infra")
}

/// Every `.bicep` file under `infra/`, sorted.
pub fn template_paths() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "bicep") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&infra_dir(), &mut paths);
    paths.sort();
    paths
}

/// A top-level `param`, `var`, `output`, `resource` or `module` with its decorators.
pub struct Declaration<'t> {
    /// `param`, `var`, `output`, `resource` or `module`.
    pub keyword: String,
    /// The declared name.
    pub name: String,
    /// The decorators' source text, e.g. `@secure()`.
    pub decorators: Vec<String>,
    /// The declaration node.
    pub node: Node<'t>,
}

/// One parsed template.
pub struct Template {
    /// Path relative to the repository root (or a made-up name for snippets).
    pub name: String,
    /// The source text.
    pub source: String,
    tree: Tree,
}

impl Template {
    /// Parses `source`, calling it `name` in messages.
    pub fn parse(name: &str, source: &str) -> Self {
        let mut parser = Parser::new();
        parser
            .set_language(&tree_sitter_bicep::LANGUAGE.into())
            .expect("the tree-sitter-bicep grammar loads");
        let tree = parser
            .parse(source, None)
            .expect("tree-sitter returns a tree for any input");
        Self {
            name: name.to_string(),
            source: source.to_string(),
            tree,
        }
    }

    /// Reads and parses a template file.
    pub fn load(path: &Path) -> Self {
        let source =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path.strip_prefix(repo_root()).unwrap_or(path);
        Self::parse(&name.display().to_string(), &source)
    }

    /// Reads and parses `infra/<relative>`.
    pub fn infra(relative: &str) -> Self {
        Self::load(&infra_dir().join(relative))
    }

    /// Every template under `infra/`.
    pub fn all() -> Vec<Self> {
        template_paths().iter().map(|p| Self::load(p)).collect()
    }

    /// The root node (`infrastructure`).
    pub fn root(&self) -> Node<'_> {
        self.tree.root_node()
    }

    /// The source text of `node`.
    pub fn text(&self, node: Node<'_>) -> &str {
        node.utf8_text(self.source.as_bytes())
            .expect("tree-sitter nodes fall on UTF-8 boundaries")
    }

    /// `file:line:column` of `node`, 1-based.
    pub fn position(&self, node: Node<'_>) -> String {
        let p = node.start_position();
        format!("{}:{}:{}", self.name, p.row + 1, p.column + 1)
    }

    /// Every ERROR and MISSING node, as `file:line:col: what`.
    ///
    /// One construct is let through: a top-level `extension <name>` statement. The grammar
    /// (tree-sitter-bicep 1.1) predates Bicep's `extension` keyword, which
    /// infra/graph-app-roles.bicep needs for the Microsoft Graph extension; only that
    /// exact two-word statement is accepted, anything longer is still an error.
    pub fn syntax_errors(&self) -> Vec<String> {
        let mut errors = Vec::new();
        self.collect_errors(self.root(), &mut errors);
        errors
    }

    fn collect_errors(&self, node: Node<'_>, errors: &mut Vec<String>) {
        if node.is_missing() {
            errors.push(format!(
                "{}: missing `{}`",
                self.position(node),
                node.kind()
            ));
            return;
        }
        if node.is_error() {
            if !self.is_extension_statement(node) {
                let text = self.text(node).lines().next().unwrap_or("").trim();
                let shown: String = text.chars().take(60).collect();
                errors.push(format!(
                    "{}: syntax error at `{shown}`",
                    self.position(node)
                ));
            }
            return;
        }
        for child in node.children(&mut node.walk()) {
            self.collect_errors(child, errors);
        }
    }

    fn is_extension_statement(&self, node: Node<'_>) -> bool {
        let top_level = node.parent().is_some_and(|p| p.kind() == "infrastructure");
        let words: Vec<&str> = self.text(node).split_whitespace().collect();
        top_level
            && words.len() == 2
            && words[0] == "extension"
            && words[1]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
            && words[1]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
    }

    /// The top-level declarations, with the decorators written above each.
    pub fn declarations(&self) -> Vec<Declaration<'_>> {
        let mut out = Vec::new();
        let mut decorators = Vec::new();
        let root = self.root();
        for node in root.named_children(&mut root.walk()) {
            let keyword = match node.kind() {
                "decorators" => {
                    decorators.extend(
                        node.named_children(&mut node.walk())
                            .map(|d| self.text(d).to_string()),
                    );
                    continue;
                }
                "parameter_declaration" => "param",
                "variable_declaration" => "var",
                "output_declaration" => "output",
                "resource_declaration" => "resource",
                "module_declaration" => "module",
                "comment" | "diagnostic_comment" => continue,
                _ => {
                    decorators.clear();
                    continue;
                }
            };
            let name = node
                .named_child(0)
                .map(|n| self.text(n).to_string())
                .unwrap_or_default();
            out.push(Declaration {
                keyword: keyword.to_string(),
                name,
                decorators: std::mem::take(&mut decorators),
                node,
            });
        }
        out
    }

    /// The declarations of one kind (`param`, `var`, ...).
    pub fn declarations_of(&self, keyword: &str) -> Vec<Declaration<'_>> {
        self.declarations()
            .into_iter()
            .filter(|d| d.keyword == keyword)
            .collect()
    }

    /// The expression after `=` in a declaration (a variable's value, a parameter's
    /// default, an output's value, a resource's body).
    pub fn assigned_value<'t>(&self, declaration: Node<'t>) -> Option<Node<'t>> {
        let mut cursor = declaration.walk();
        let mut after_equals = false;
        for child in declaration.children(&mut cursor) {
            if after_equals && child.is_named() && child.kind() != "comment" {
                return Some(child);
            }
            after_equals |= child.kind() == "=";
        }
        None
    }

    /// The value of `var <name> = …`.
    pub fn variable(&self, name: &str) -> Option<Node<'_>> {
        self.declarations_of("var")
            .into_iter()
            .find(|d| d.name == name)
            .and_then(|d| self.assigned_value(d.node))
    }

    /// The entries of an object literal: key (unquoted) and value node.
    pub fn object_entries<'t>(&self, object: Node<'t>) -> Vec<(String, Node<'t>)> {
        let mut entries = Vec::new();
        for property in object.named_children(&mut object.walk()) {
            if property.kind() != "object_property" {
                continue;
            }
            let (Some(key), Some(value)) = (property.named_child(0), property.named_child(1))
            else {
                continue;
            };
            let key = match key.kind() {
                "string" => self.string_value(key).unwrap_or_default(),
                _ => self.text(key).to_string(),
            };
            entries.push((key, value));
        }
        entries
    }

    /// The entry `key` of an object literal.
    pub fn entry<'t>(&self, object: Node<'t>, key: &str) -> Option<Node<'t>> {
        self.object_entries(object)
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The value of a string literal without interpolations, unquoted; `None` for any
    /// other node.
    pub fn string_value(&self, node: Node<'_>) -> Option<String> {
        if node.kind() != "string" {
            return None;
        }
        let mut value = String::new();
        for part in node.named_children(&mut node.walk()) {
            match part.kind() {
                "string_content" => value.push_str(self.text(part)),
                "escape_sequence" => value.push_str(unescape(self.text(part))),
                _ => return None,
            }
        }
        Some(value)
    }

    /// A string literal's text with every interpolation written as `${}`.
    pub fn string_shape(&self, node: Node<'_>) -> String {
        let mut shape = String::new();
        for part in node.named_children(&mut node.walk()) {
            match part.kind() {
                "interpolation" => shape.push_str("${}"),
                _ => shape.push_str(self.text(part)),
            }
        }
        shape
    }

    /// Every node of `kind`, in source order.
    pub fn nodes_of_kind(&self, kind: &str) -> Vec<Node<'_>> {
        fn walk<'t>(node: Node<'t>, kind: &str, out: &mut Vec<Node<'t>>) {
            if node.kind() == kind {
                out.push(node);
            }
            for child in node.children(&mut node.walk()) {
                walk(child, kind, out);
            }
        }
        let mut out = Vec::new();
        walk(self.root(), kind, &mut out);
        out
    }

    /// The argument nodes of every call to `function`.
    pub fn calls(&self, function: &str) -> Vec<Vec<Node<'_>>> {
        self.nodes_of_kind("call_expression")
            .into_iter()
            .filter(|call| {
                call.child_by_field_name("function")
                    .is_some_and(|f| self.text(f) == function)
            })
            .map(|call| {
                call.child_by_field_name("arguments")
                    .map(|args| args.named_children(&mut args.walk()).collect())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// The resources declared anywhere in the template, with their type string
    /// (`Microsoft.X/y@version`) and body.
    pub fn resources(&self) -> Vec<(String, Node<'_>)> {
        self.nodes_of_kind("resource_declaration")
            .into_iter()
            .filter_map(|r| {
                let kind = r.named_child(1).and_then(|t| self.string_value(t))?;
                let body = object_of(self.assigned_value(r)?)?;
                Some((kind, body))
            })
            .collect()
    }
}

/// The object literal of a resource or module body: itself, or the object inside
/// `if (…) {…}` or `[for … : {…}]`.
pub fn object_of(body: Node<'_>) -> Option<Node<'_>> {
    match body.kind() {
        "object" => Some(body),
        "if_statement" => body
            .named_children(&mut body.walk())
            .find(|n| n.kind() == "object"),
        "for_statement" => body.child_by_field_name("body").and_then(object_of),
        _ => None,
    }
}

fn unescape(sequence: &str) -> &str {
    match sequence {
        "\\'" => "'",
        "\\\\" => "\\",
        "\\n" => "\n",
        "\\r" => "\r",
        "\\t" => "\t",
        "\\$" => "$",
        other => other,
    }
}
