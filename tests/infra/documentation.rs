//! The templates explain themselves: every parameter and output has a `@description`,
//! and infra/README.md lists every parameter and output of main.bicep.

use crate::bicep::{infra_dir, Template};

#[test]
fn every_parameter_and_output_has_a_description() {
    let mut missing = Vec::new();
    let mut checked = 0;
    for template in Template::all() {
        for declaration in template
            .declarations()
            .into_iter()
            .filter(|d| d.keyword == "param" || d.keyword == "output")
        {
            checked += 1;
            if !declaration
                .decorators
                .iter()
                .any(|d| d.starts_with("@description("))
            {
                missing.push(format!(
                    "{}: {} {}",
                    template.position(declaration.node),
                    declaration.keyword,
                    declaration.name
                ));
            }
        }
    }
    assert!(checked >= 40, "only {checked} parameters and outputs found");
    assert!(
        missing.is_empty(),
        "no @description:\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_readme_lists_every_parameter_and_output_of_main() {
    let readme = std::fs::read_to_string(infra_dir().join("README.md")).expect("infra/README.md");
    let main = Template::infra("main.bicep");
    let declared: Vec<String> = main
        .declarations()
        .into_iter()
        .filter(|d| d.keyword == "param" || d.keyword == "output")
        .map(|d| d.name)
        .collect();
    assert!(declared.len() >= 20, "{declared:?}");
    let undocumented: Vec<&String> = declared
        .iter()
        .filter(|name| !readme.contains(&format!("`{name}`")))
        .collect();
    assert!(
        undocumented.is_empty(),
        "not in infra/README.md: {undocumented:?}"
    );
}
