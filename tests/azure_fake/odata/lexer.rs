//! Tokens of an OData `$filter` expression.

use super::super::records::parse_instant;

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// `(`
    Open,
    /// `)`
    Close,
    /// `,`
    Comma,
    /// `/`
    Slash,
    /// `:`
    Colon,
    /// `'text'` (with `''` unescaped).
    Str(String),
    /// An identifier or keyword.
    Word(String),
    /// A number.
    Num(f64),
    /// An unquoted date-time or date (100 ns ticks since the epoch).
    Instant(i64),
    /// An unquoted GUID (lowercase).
    Guid(String),
}

/// Splits `text` into tokens.
pub(crate) fn tokens(text: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => push(&mut out, &mut i, Tok::Open),
            ')' => push(&mut out, &mut i, Tok::Close),
            ',' => push(&mut out, &mut i, Tok::Comma),
            '/' => push(&mut out, &mut i, Tok::Slash),
            ':' => push(&mut out, &mut i, Tok::Colon),
            '\'' => {
                let (s, next) = string(&chars, i)?;
                out.push(Tok::Str(s));
                i = next;
            }
            c if c.is_ascii_digit() || (c == '-' && next_is_digit(&chars, i)) => {
                let start = i;
                i += 1;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || ".:+-".contains(chars[i]))
                {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                out.push(literal(&word)?);
            }
            c if c.is_ascii_alphabetic() || c == '_' || c == '$' || c == '@' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || "_.$@".contains(chars[i]))
                {
                    i += 1;
                }
                // A GUID may start with a letter: `d3590ed6-52b3-…`.
                if i < chars.len() && chars[i] == '-' && i - start == 8 {
                    while i < chars.len() && (chars[i].is_ascii_hexdigit() || chars[i] == '-') {
                        i += 1;
                    }
                    let word: String = chars[start..i].iter().collect();
                    out.push(literal(&word)?);
                } else {
                    out.push(Tok::Word(chars[start..i].iter().collect()));
                }
            }
            other => return Err(format!("unexpected character '{other}' at position {i}")),
        }
    }
    Ok(out)
}

fn push(out: &mut Vec<Tok>, i: &mut usize, t: Tok) {
    out.push(t);
    *i += 1;
}

fn next_is_digit(chars: &[char], i: usize) -> bool {
    chars.get(i + 1).is_some_and(|c| c.is_ascii_digit())
}

/// A quoted string starting at `chars[start]` (a `'`); returns it and the index after it.
fn string(chars: &[char], start: usize) -> Result<(String, usize), String> {
    let mut s = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return Err(format!("unterminated string literal at position {start}")),
            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                s.push('\'');
                i += 2;
            }
            Some('\'') => return Ok((s, i + 1)),
            Some(&c) => {
                s.push(c);
                i += 1;
            }
        }
    }
}

/// A GUID, a date-time, a date or a number.
fn literal(word: &str) -> Result<Tok, String> {
    if is_guid(word) {
        return Ok(Tok::Guid(word.to_ascii_lowercase()));
    }
    if word.contains('T') || (word.len() == 10 && word.as_bytes().get(4) == Some(&b'-')) {
        if let Some(t) = parse_instant(word) {
            return Ok(Tok::Instant(t));
        }
    }
    word.parse::<f64>()
        .map(Tok::Num)
        .map_err(|_| format!("'{word}' is not a valid literal"))
}

/// Whether `s` is a GUID in its 8-4-4-4-12 form.
pub fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}
