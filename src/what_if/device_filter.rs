//! Device filters (`conditions.devices.deviceFilter.rule`) in the dynamic-device rule syntax:
//! `device.trustType -eq "ServerAD" -and (device.extensionAttribute1 -in ["SAW","PAW"])`.
//! A property the sign-in does not describe reads as empty, as for an unregistered device.

use super::DeviceInfo;

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Open,
    Close,
    Word(String),
    Text(String),
    List(Vec<String>),
}

fn tokens(rule: &str) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    let mut chars = rule.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Token::Open);
            }
            ')' => {
                chars.next();
                out.push(Token::Close);
            }
            '"' | '\'' => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next()? {
                        q if q == c => break,
                        other => text.push(other),
                    }
                }
                out.push(Token::Text(text));
            }
            '[' => {
                chars.next();
                let mut inner = String::new();
                loop {
                    match chars.next()? {
                        ']' => break,
                        other => inner.push(other),
                    }
                }
                let items = inner
                    .split(',')
                    .map(|s| s.trim().trim_matches('"').trim_matches('\'').to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                out.push(Token::List(items));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || c == '(' || c == ')' {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                out.push(Token::Word(word));
            }
        }
    }
    Some(out)
}

fn property(device: &DeviceInfo, name: &str) -> String {
    let name = name.strip_prefix("device.").unwrap_or(name);
    let value = match name.to_ascii_lowercase().as_str() {
        "deviceid" => device.device_id.clone(),
        "displayname" => device.display_name.clone(),
        "iscompliant" => device.is_compliant.map(|c| if c { "True".into() } else { "False".into() }),
        "trusttype" => device.trust_type.clone(),
        "operatingsystem" => device.operating_system.clone(),
        "operatingsystemversion" => device.operating_system_version.clone(),
        "manufacturer" => device.manufacturer.clone(),
        "model" => device.model.clone(),
        "mdmappid" => device.mdm_app_id.clone(),
        "enrollmentprofilename" => device.enrollment_profile_name.clone(),
        "deviceownership" => device.ownership.clone(),
        "profiletype" => device.profile_type.clone(),
        "extensionattribute1" => device.extension_attribute1.clone(),
        "extensionattribute2" => device.extension_attribute2.clone(),
        "extensionattribute3" => device.extension_attribute3.clone(),
        _ => None,
    };
    value.unwrap_or_default()
}

struct Parser<'a> {
    tokens: &'a [Token],
    at: usize,
    device: &'a DeviceInfo,
}

impl Parser<'_> {
    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.at), Some(Token::Word(w)) if w.eq_ignore_ascii_case(word))
    }

    fn or(&mut self) -> Option<bool> {
        let mut value = self.and()?;
        while self.peek_word("-or") {
            self.at += 1;
            let right = self.and()?;
            value = value || right;
        }
        Some(value)
    }

    fn and(&mut self) -> Option<bool> {
        let mut value = self.factor()?;
        while self.peek_word("-and") {
            self.at += 1;
            let right = self.factor()?;
            value = value && right;
        }
        Some(value)
    }

    fn factor(&mut self) -> Option<bool> {
        match self.next()? {
            Token::Open => {
                let value = self.or()?;
                (self.next()? == Token::Close).then_some(value)
            }
            Token::Word(name) if name.to_ascii_lowercase().starts_with("device.") => {
                let Token::Word(op) = self.next()? else { return None };
                let actual = property(self.device, &name);
                let value = self.next()?;
                compare(&actual, &op, value)
            }
            _ => None,
        }
    }
}

fn compare(actual: &str, op: &str, value: Token) -> Option<bool> {
    let a = actual.to_ascii_lowercase();
    let text = |value: &Token| match value {
        Token::Text(t) | Token::Word(t) => Some(t.to_ascii_lowercase()),
        _ => None,
    };
    Some(match op.to_ascii_lowercase().as_str() {
        "-eq" => a == text(&value)?,
        "-ne" => a != text(&value)?,
        "-startswith" => a.starts_with(&text(&value)?),
        "-notstartswith" => !a.starts_with(&text(&value)?),
        "-endswith" => a.ends_with(&text(&value)?),
        "-notendswith" => !a.ends_with(&text(&value)?),
        "-contains" => a.contains(&text(&value)?),
        "-notcontains" => !a.contains(&text(&value)?),
        "-in" | "-notin" => {
            let Token::List(items) = value else { return None };
            let found = items.iter().any(|i| i.eq_ignore_ascii_case(actual));
            if op.eq_ignore_ascii_case("-in") { found } else { !found }
        }
        _ => return None,
    })
}

/// Whether the device matches the rule; `None` when the rule cannot be read.
pub fn matches(rule: &str, device: &DeviceInfo) -> Option<bool> {
    let tokens = tokens(rule)?;
    if tokens.is_empty() {
        return None;
    }
    let mut parser = Parser { tokens: &tokens, at: 0, device };
    let value = parser.or()?;
    (parser.at == tokens.len()).then_some(value)
}
