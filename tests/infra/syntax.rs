//! Every template parses with the tree-sitter-bicep grammar, every module and import it
//! names exists, and the check itself catches broken Bicep.

use std::path::Path;

use crate::bicep::{infra_dir, template_paths, Template};

#[test]
fn every_template_parses_without_errors() {
    let templates = Template::all();
    let names: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
    for expected in [
        "infra/main.bicep",
        "infra/management-group-reader.bicep",
        "infra/graph-app-roles.bicep",
        "infra/modules/function-app.bicep",
        "infra/modules/storage.bicep",
        "infra/modules/key-vault.bicep",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} not found in {names:?}"
        );
    }
    let errors: Vec<String> = templates.iter().flat_map(Template::syntax_errors).collect();
    assert!(errors.is_empty(), "syntax errors:\n{}", errors.join("\n"));
}

#[test]
fn a_broken_template_is_reported_with_its_position() {
    let broken = Template::parse(
        "broken.bicep",
        "param name string\n\nresource account 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: name\n  sku: { name: 'Standard_LRS' \n  kind: 'StorageV2'\n  properties: ]\n}\n",
    );
    let errors = broken.syntax_errors();
    assert!(!errors.is_empty(), "a broken template passed");
    assert!(
        errors.iter().all(|e| e.starts_with("broken.bicep:")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.starts_with("broken.bicep:7:")),
        "the stray `]` on line 7 is not reported: {errors:?}"
    );
}

#[test]
fn an_unterminated_construct_is_reported() {
    let broken = Template::parse("open.bicep", "var names = [for i in range(0, 3): 'q${i}'\n");
    assert!(!broken.syntax_errors().is_empty());
}

#[test]
fn only_a_bare_extension_statement_is_let_through() {
    let graph = Template::parse(
        "ok.bicep",
        "extension microsoftGraphV1\n\nparam principalId string\n",
    );
    assert_eq!(graph.syntax_errors(), Vec::<String>::new());
    for broken in [
        "extension microsoftGraphV1 oops\nparam principalId string\n",
        "param principalId string\nvar x = { extension microsoftGraphV1 }\n",
        "extensions microsoftGraphV1\n",
    ] {
        let template = Template::parse("bad.bicep", broken);
        assert!(!template.syntax_errors().is_empty(), "accepted: {broken}");
    }
}

#[test]
fn every_module_and_import_path_exists() {
    let mut checked = 0;
    for path in template_paths() {
        let template = Template::load(&path);
        let dir = path.parent().unwrap_or(Path::new("."));
        let referenced = template
            .nodes_of_kind("module_declaration")
            .into_iter()
            .chain(template.nodes_of_kind("import_functionality"))
            .filter_map(|node| {
                let mut cursor = node.walk();
                let string = node
                    .named_children(&mut cursor)
                    .find(|n| n.kind() == "string")?;
                template.string_value(string)
            })
            .collect::<Vec<_>>();
        for relative in referenced {
            let target = dir.join(&relative);
            assert!(
                target.is_file(),
                "{} refers to {relative}, which does not exist",
                template.name
            );
            assert!(target.starts_with(infra_dir()));
            checked += 1;
        }
    }
    assert!(
        checked >= 10,
        "only {checked} module and import paths found"
    );
}
