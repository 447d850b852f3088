//! GNU Taler URIs: `taler://pay/<merchant host and path>/<order id>/<session id>[?c=<claim token>]`
//! and the other actions (withdraw, refund, pay-push, ...). `taler+http://` means the
//! merchant is reached over plain HTTP (test deployments).

use serde::Serialize;

use super::{QrError, percent};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum TalerUri {
    Pay {
        /// The merchant backend's base URL, ending in '/'.
        merchant_base_url: String,
        order_id: String,
        session_id: String,
        claim_token: Option<String>,
    },
    /// Any other action (withdraw, refund, pay-push, ...), not paid from a shop's counter.
    Other { name: String, path: String },
}

impl TalerUri {
    pub fn parse(uri: &str) -> Result<TalerUri, QrError> {
        let invalid = |reason: &str| QrError::InvalidLink {
            reason: reason.to_owned(),
        };
        let (scheme, rest) = uri.split_once("://").ok_or_else(|| invalid("not a URI"))?;
        let http = if scheme.eq_ignore_ascii_case("taler+http") {
            "http"
        } else {
            "https"
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (action, target) = path.split_once('/').unwrap_or((path, ""));
        let action = action.to_ascii_lowercase();
        if action != "pay" {
            if action.is_empty() {
                return Err(invalid("the Taler URI names no action"));
            }
            return Ok(TalerUri::Other {
                name: action,
                path: target.to_owned(),
            });
        }
        // host[/path...]/order/session: the last two segments are the order and session.
        let segments: Vec<&str> = target.split('/').collect();
        let [base @ .., order_id, session_id] = segments.as_slice() else {
            return Err(invalid(
                "taler://pay needs a merchant, an order id and a session id",
            ));
        };
        if base.is_empty() || base[0].is_empty() || order_id.is_empty() {
            return Err(invalid("taler://pay needs a merchant host and an order id"));
        }
        let claim_token = percent::query_pairs(query)?
            .into_iter()
            .find_map(|(key, value)| (key == "c").then_some(value));
        Ok(TalerUri::Pay {
            merchant_base_url: format!("{http}://{}/", base.join("/")),
            order_id: percent::decode(order_id)?,
            session_id: percent::decode(session_id)?,
            claim_token,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // URIs and expectations from GNU Taler's taleruri tests (taler-util, taleruri.test.ts).
    #[test]
    fn pay_uris() {
        assert_eq!(
            TalerUri::parse("taler://pay/example.com/myorder/"),
            Ok(TalerUri::Pay {
                merchant_base_url: "https://example.com/".into(),
                order_id: "myorder".into(),
                session_id: String::new(),
                claim_token: None,
            })
        );
        assert_eq!(
            TalerUri::parse(
                "taler+http://pay/example.com/instances/myinst/myorder/mysession?c=ASDF"
            ),
            Ok(TalerUri::Pay {
                merchant_base_url: "http://example.com/instances/myinst/".into(),
                order_id: "myorder".into(),
                session_id: "mysession".into(),
                claim_token: Some("ASDF".into()),
            })
        );
        assert!(TalerUri::parse("taler://pay/example.com").is_err());
        assert!(matches!(
            TalerUri::parse("taler://withdraw/bank.example.com/12345"),
            Ok(TalerUri::Other { .. })
        ));
    }
}
