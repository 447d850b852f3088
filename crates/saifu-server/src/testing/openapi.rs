//! Every response against `/openapi.json`: the operation of its path and method, the
//! response of its status (exact, `4XX`/`5XX`, or `default`), its media type, and its body
//! against the schema, with the JSON Schema keywords the document uses. A keyword this
//! checker does not know is itself a violation, so it never passes by ignoring a rule.

use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::http::conformance::{Check, Exchange};

/// A check that records each response not matching the document in `violations`.
pub fn check(violations: Arc<Mutex<Vec<String>>>) -> Check {
    let document = serde_json::to_value(crate::http::document()).expect("the document is JSON");
    Arc::new(move |exchange: Exchange<'_>| {
        if let Err(problem) = conforms(&document, &exchange) {
            let mut violations = violations
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            violations.push(format!(
                "{} {} -> {}: {problem}",
                exchange.method, exchange.path, exchange.status
            ));
        }
    })
}

/// Whether the exchange matches the document.
pub fn conforms(document: &Value, exchange: &Exchange<'_>) -> Result<(), String> {
    let operation = operation(document, exchange.method, exchange.path);
    let schema = match operation {
        Some(operation) => {
            let responses = &operation["responses"];
            let status = exchange.status.to_string();
            let range = format!("{}XX", exchange.status / 100);
            let response = [status.as_str(), range.as_str(), "default"]
                .iter()
                .find_map(|key| responses.get(*key))
                .ok_or("the status is not documented")?;
            let response = resolve(document, response)?;
            let content = response
                .get("content")
                .ok_or("the response has no content documented")?;
            let media = exchange
                .content_type
                .and_then(|kind| kind.split(';').next())
                .ok_or("the response has no content type")?;
            content
                .get(media)
                .ok_or_else(|| format!("{media} is not documented"))?
                .get("schema")
                .cloned()
                .unwrap_or(Value::Bool(true))
        }
        // The router's own refusals, unknown routes and wrong methods: an ErrorResponse.
        None if exchange.status >= 400 => {
            serde_json::json!({ "$ref": "#/components/schemas/ErrorResponse" })
        }
        None => return Err("no such operation in the document".into()),
    };
    let Some(body) = exchange.body else {
        return Ok(());
    };
    // A documented text body (a CSV statement) is checked for being text, not for a schema.
    let media = exchange
        .content_type
        .and_then(|kind| kind.split(';').next());
    if media.is_some_and(|media| media.starts_with("text/")) {
        return std::str::from_utf8(body)
            .map(|_| ())
            .map_err(|error| format!("the body is not UTF-8 text: {error}"));
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|error| format!("the body is not JSON: {error}"))?;
    validate(document, &schema, &value, "$")
}

/// The operation of `method` on the path template that `path` fills.
fn operation<'d>(document: &'d Value, method: &str, path: &str) -> Option<&'d Value> {
    let paths = document["paths"].as_object()?;
    let segments: Vec<&str> = path.split('/').collect();
    paths.iter().find_map(|(template, item)| {
        let parts: Vec<&str> = template.split('/').collect();
        let fits = parts.len() == segments.len()
            && parts.iter().zip(&segments).all(|(part, segment)| {
                (part.starts_with('{') && part.ends_with('}') && !segment.is_empty())
                    || part == segment
            });
        fits.then(|| item.get(method.to_lowercase()))?
    })
}

/// The schema a `$ref` (or a chain of them) names.
fn resolve<'d>(document: &'d Value, mut schema: &'d Value) -> Result<&'d Value, String> {
    for _ in 0..32 {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            return Ok(schema);
        };
        let pointer = reference
            .strip_prefix('#')
            .ok_or_else(|| format!("unsupported reference {reference}"))?;
        schema = document
            .pointer(pointer)
            .ok_or_else(|| format!("dangling reference {reference}"))?;
    }
    Err("a cycle of references".into())
}

/// Keywords that describe and never constrain.
const ANNOTATIONS: &[&str] = &[
    "description",
    "title",
    "example",
    "examples",
    "default",
    "format",
    "deprecated",
    "readOnly",
    "writeOnly",
    "discriminator",
];

fn validate(document: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(document, schema)?;
    let Some(rules) = schema.as_object() else {
        return match schema {
            Value::Bool(true) => Ok(()),
            _ => Err(format!("{at}: unsupported schema {schema}")),
        };
    };
    for (keyword, rule) in rules {
        match keyword.as_str() {
            "type" => {
                let allowed: Vec<&str> = match rule {
                    Value::String(one) => vec![one.as_str()],
                    Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                    _ => return Err(format!("{at}: unsupported type {rule}")),
                };
                if !allowed.iter().any(|kind| is_type(value, kind)) {
                    return Err(format!("{at}: {value} is not {allowed:?}"));
                }
            }
            "enum" => {
                if !rule
                    .as_array()
                    .is_some_and(|options| options.contains(value))
                {
                    return Err(format!("{at}: {value} is not one of {rule}"));
                }
            }
            "const" => {
                if rule != value {
                    return Err(format!("{at}: {value} is not {rule}"));
                }
            }
            "required" => {
                for name in rule
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                {
                    if value.is_object() && value.get(name).is_none() {
                        return Err(format!("{at}: {name} is missing"));
                    }
                }
            }
            "properties" => {
                if let (Some(properties), Some(fields)) = (rule.as_object(), value.as_object()) {
                    for (name, field) in fields {
                        if let Some(property) = properties.get(name) {
                            validate(document, property, field, &format!("{at}.{name}"))?;
                        }
                    }
                }
            }
            "additionalProperties" => {
                let properties = rules.get("properties");
                for (name, field) in value.as_object().into_iter().flatten() {
                    if properties.and_then(|known| known.get(name)).is_none() {
                        validate(document, rule, field, &format!("{at}.{name}"))?;
                    }
                }
            }
            "propertyNames" => {
                for name in value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, _)| name)
                {
                    validate(
                        document,
                        rule,
                        &Value::String(name.clone()),
                        &format!("{at}.{name}"),
                    )?;
                }
            }
            "items" => {
                for (index, item) in value.as_array().into_iter().flatten().enumerate() {
                    validate(document, rule, item, &format!("{at}[{index}]"))?;
                }
            }
            "minimum" | "maximum" => {
                if let (Some(bound), Some(number)) = (rule.as_f64(), value.as_f64()) {
                    let within = if keyword == "minimum" {
                        number >= bound
                    } else {
                        number <= bound
                    };
                    if !within {
                        return Err(format!("{at}: {number} is outside {keyword} {bound}"));
                    }
                }
            }
            "oneOf" | "anyOf" => {
                let matching = rule
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|option| validate(document, option, value, at).is_ok())
                    .count();
                let fits = if keyword == "oneOf" {
                    matching == 1
                } else {
                    matching >= 1
                };
                if !fits {
                    return Err(format!("{at}: {value} matches {matching} of {keyword}"));
                }
            }
            "allOf" => {
                for part in rule.as_array().into_iter().flatten() {
                    validate(document, part, value, at)?;
                }
            }
            "$ref" => {}
            annotation if ANNOTATIONS.contains(&annotation) => {}
            unknown => {
                return Err(format!(
                    "{at}: the checker does not know the keyword {unknown}"
                ));
            }
        }
    }
    Ok(())
}

fn is_type(value: &Value, kind: &str) -> bool {
    match kind {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_that_breaks_its_schema_is_caught() {
        let document = serde_json::to_value(crate::http::document()).expect("JSON");
        let exchange = |body: &'static [u8]| Exchange {
            method: "GET",
            path: "/v1/cards",
            status: 200,
            content_type: Some("application/json"),
            body: Some(body),
        };
        let good = br#"{"cards":[{"card_id":"card_1","brand":"visa","issuer":"Bank","last4":"4242","expiry":{"month":12,"year":2035},"linked_at":1}]}"#;
        assert_eq!(conforms(&document, &exchange(good)), Ok(()));
        // The expiry as the document once described it: a string.
        let old = br#"{"cards":[{"card_id":"card_1","brand":"visa","issuer":"Bank","last4":"4242","expiry":"12/35","linked_at":1}]}"#;
        assert!(conforms(&document, &exchange(old)).is_err());
        let missing = br#"{"cards":[{"card_id":"card_1"}]}"#;
        assert!(conforms(&document, &exchange(missing)).is_err());
    }

    #[test]
    fn every_refusal_must_be_an_error_response() {
        let document = serde_json::to_value(crate::http::document()).expect("JSON");
        let refusal = |body: &'static [u8]| Exchange {
            method: "GET",
            path: "/no/such/route",
            status: 404,
            content_type: Some("application/json"),
            body: Some(body),
        };
        assert_eq!(
            conforms(
                &document,
                &refusal(br#"{"code":"unknown_route","message":"no such route"}"#)
            ),
            Ok(())
        );
        assert!(conforms(&document, &refusal(b"")).is_err());
        assert!(conforms(&document, &refusal(br#"{"code":"nonsense","message":"x"}"#)).is_err());
    }
}
