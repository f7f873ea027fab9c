//! Graph's posture texts (Secure Score remediation steps, service health posts) come as HTML;
//! the model reads them as plain text, trimmed.

/// `<p>Turn <b>this</b> on.</p>` → `Turn this on.`: tags dropped, the common entities
/// decoded, whitespace folded, trimmed to `max` characters.
pub fn plain(html: &str, max: usize) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let decoded = text
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    let folded = decoded.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::render::trim(&folded, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_go_and_entities_are_decoded() {
        assert_eq!(
            plain("<p>Turn <b>MFA</b>&nbsp;on &amp; keep it.</p>\n<ul><li>x</li></ul>", 200),
            "Turn MFA on & keep it. x"
        );
        assert_eq!(plain("a < b", 200), "a");
        assert_eq!(plain(&"word ".repeat(100), 10).chars().count(), 10);
    }
}
