//! No secret in the templates: no key, token, password or connection string literal;
//! every parameter that holds a secret is `@secure()` with no default; no output hands
//! a secret (a secure parameter or a `list*()` result) back to the deployment history.

use crate::bicep::Template;

/// Markers of credentials in any text: (what, marker). The marker must be followed by a
/// literal character (not `$`, a quote or a separator) to count.
const VALUE_MARKERS: &[(&str, &str)] = &[
    ("a storage account key", "AccountKey="),
    ("a shared access key", "SharedAccessKey="),
    ("a shared access signature", "SharedAccessSignature="),
    ("a SAS signature", "sig="),
    ("an instrumentation key", "InstrumentationKey="),
    ("a password", "Password="),
    ("a password", "pwd="),
    ("a function key", "code="),
];

/// Prefixes of well-known token formats.
const TOKEN_PREFIXES: &[(&str, &str)] = &[
    ("a GitHub token", "ghp_"),
    ("a GitHub token", "gho_"),
    ("a GitHub token", "ghs_"),
    ("a GitHub token", "github_pat_"),
    ("a Slack token", "xoxb-"),
    ("a JSON web token", "eyJhbGci"),
    ("a private key", "-----BEGIN"),
];

/// Parameter names that announce a secret (by their ending).
const SECRET_NAME_ENDINGS: &[&str] = &[
    "secret",
    "password",
    "token",
    "key",
    "hmac",
    "credential",
    "connectionstring",
    "sas",
];

/// Secret-looking literals in `template`, as `file:line:col: what`.
fn secret_literals(template: &Template) -> Vec<String> {
    let mut found = Vec::new();
    // Markers and prefixes anywhere, comments included.
    for (number, line) in template.source.lines().enumerate() {
        let lower = line.to_ascii_lowercase();
        for (what, marker) in VALUE_MARKERS {
            let marker = marker.to_ascii_lowercase();
            for (at, _) in lower.match_indices(&marker) {
                let next = line[at + marker.len()..].chars().next();
                if next
                    .is_some_and(|c| !matches!(c, '$' | '\'' | '"' | ';' | '&' | ' ' | '`' | '<'))
                {
                    found.push(format!("{}:{}: {what}", template.name, number + 1));
                }
            }
        }
        for (what, prefix) in TOKEN_PREFIXES {
            if line.contains(prefix) {
                found.push(format!("{}:{}: {what}", template.name, number + 1));
            }
        }
    }
    // Random-looking runs inside string literals (keys, PATs, base64 blobs).
    for string in template.nodes_of_kind("string") {
        let shape = template.string_shape(string);
        for word in shape.split(|c: char| !(c.is_ascii_alphanumeric() || "+/=_-".contains(c))) {
            if looks_random(word) {
                found.push(format!(
                    "{}: a random-looking literal `{}…`",
                    template.position(string),
                    &word[..6]
                ));
            }
        }
    }
    found
}

/// Whether `word` looks like key material: long, mixing letters and digits, and not a
/// GUID (ids are checked elsewhere).
fn looks_random(word: &str) -> bool {
    let upper = word.chars().any(|c| c.is_ascii_uppercase());
    let lower = word.chars().any(|c| c.is_ascii_lowercase());
    let digit = word.chars().any(|c| c.is_ascii_digit());
    let mixed_case = word.len() >= 20 && upper && lower && digit;
    let long_lower = word.len() >= 32
        && lower
        && digit
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    mixed_case || long_lower
}

/// Parameters whose name announces a secret but that are not `@secure()` without a
/// non-empty default.
fn insecure_secret_parameters(template: &Template) -> Vec<String> {
    let mut found = Vec::new();
    for param in template.declarations_of("param") {
        let name = param.name.to_ascii_lowercase();
        if !SECRET_NAME_ENDINGS.iter().any(|e| name.ends_with(e)) {
            continue;
        }
        if !param.decorators.iter().any(|d| d.starts_with("@secure(")) {
            found.push(format!(
                "{}: parameter {} is not @secure()",
                template.position(param.node),
                param.name
            ));
        }
        let default = template
            .assigned_value(param.node)
            .map(|v| template.text(v));
        if default.is_some_and(|d| d != "''" && d != "{}") {
            found.push(format!(
                "{}: parameter {} has a default value",
                template.position(param.node),
                param.name
            ));
        }
    }
    found
}

/// Outputs that carry a secure parameter or the result of a `list*()` function.
fn leaking_outputs(template: &Template) -> Vec<String> {
    let secure: Vec<String> = template
        .declarations_of("param")
        .into_iter()
        .filter(|p| p.decorators.iter().any(|d| d.starts_with("@secure(")))
        .map(|p| p.name)
        .collect();
    let mut found = Vec::new();
    for output in template.declarations_of("output") {
        let Some(value) = template.assigned_value(output.node) else {
            continue;
        };
        let text = template.text(value);
        let words: Vec<&str> = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .collect();
        let secret_param = secure.iter().any(|s| words.contains(&s.as_str()));
        let list_call = words
            .iter()
            .any(|w| w.to_ascii_lowercase().starts_with("list") && text.contains(&format!("{w}(")));
        if secret_param || list_call {
            found.push(format!(
                "{}: output {} carries a secret",
                template.position(output.node),
                output.name
            ));
        }
    }
    found
}

#[test]
fn no_secret_literal_in_the_templates() {
    let found: Vec<String> = Template::all().iter().flat_map(secret_literals).collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn secret_literals_are_caught() {
    let template = Template::parse(
        "leaky.bicep",
        "var storage = 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=Zm9vYmFy'\n\
         var github = 'ghp_0123456789abcdefghijABCDEFGHIJ012345'\n\
         var hook = 'https://x.azurewebsites.net/api/service-health?code=abc'\n\
         var pat = 'q3kd7wz2mfx4b6tyh5n8pvrc2ja9elgs7ku3wyd6fzmh4xbq2tna'\n\
         var blob = 'Qm9uam91ciB0b3V0IGxlIG1vbmRlIQ=='\n\
         var fine = 'https://${host}/api/service-health?code=${functionKey}'\n\
         var alsoFine = '@Microsoft.KeyVault(SecretUri=${vaultUri}secrets/teams-hmac-secret/)'\n\
         var id = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'\n",
    );
    let found = secret_literals(&template);
    let text = found.join("\n");
    for line in 1..=5 {
        assert!(
            found
                .iter()
                .any(|f| f.starts_with(&format!("leaky.bicep:{line}:"))),
            "line {line} not caught:\n{text}"
        );
    }
    for line in 6..=8 {
        assert!(
            !found
                .iter()
                .any(|f| f.starts_with(&format!("leaky.bicep:{line}:"))),
            "line {line} wrongly caught:\n{text}"
        );
    }
}

#[test]
fn secret_parameters_are_secure_and_have_no_default() {
    let templates = Template::all();
    let found: Vec<String> = templates
        .iter()
        .flat_map(insecure_secret_parameters)
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
    // The ones that exist are checked, not skipped.
    let secure = templates
        .iter()
        .flat_map(|t| t.declarations_of("param"))
        .filter(|p| p.decorators.iter().any(|d| d.starts_with("@secure(")))
        .count();
    assert!(
        secure >= 2,
        "expected the function key parameters to be @secure()"
    );
}

#[test]
fn insecure_secret_parameters_are_caught() {
    let template = Template::parse(
        "params.bicep",
        "param jiraToken string\n\
         @secure()\nparam teamsHmacSecret string = 'abc'\n\
         @description('fine')\n@secure()\nparam functionKey string = ''\n\
         param secretsOfficerPrincipalId string = ''\n",
    );
    let found = insecure_secret_parameters(&template).join("\n");
    assert!(found.contains("jiraToken is not @secure()"), "{found}");
    assert!(
        found.contains("teamsHmacSecret has a default value"),
        "{found}"
    );
    assert!(!found.contains("functionKey"), "{found}");
    assert!(!found.contains("secretsOfficerPrincipalId"), "{found}");
}

#[test]
fn no_output_carries_a_secret() {
    let found: Vec<String> = Template::all().iter().flat_map(leaking_outputs).collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn leaking_outputs_are_caught() {
    let template = Template::parse(
        "outputs.bicep",
        "@secure()\nparam functionKey string\n\
         output url string = 'https://x/api/service-health?code=${functionKey}'\n\
         output keys object = storage.listKeys()\n\
         output conn string = listKeys(account.id, '2023-05-01').keys[0].value\n\
         output host string = site.properties.defaultHostName\n",
    );
    let found = leaking_outputs(&template).join("\n");
    for name in ["url", "keys", "conn"] {
        assert!(
            found.contains(&format!("output {name} carries")),
            "{name}: {found}"
        );
    }
    assert!(!found.contains("output host"), "{found}");
}
