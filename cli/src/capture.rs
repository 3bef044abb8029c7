//! Reading a captured delivery: a body file plus a signature, a raw HTTP request, or a JSON
//! delivery line as printed by `sign`.

use std::path::PathBuf;

use clap::Args;
use serde::{Deserialize, Serialize};

/// A delivery as one JSON line: what `sign` prints and what `send --deliveries` reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DeliveryLine {
    /// A label for summaries (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// What the receiver should do with it: `verified`, `duplicate` or `rejected` (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
    /// The error code a rejection should carry (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect_error: Option<String>,
    /// The envelope's domain (informational).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Request headers.
    pub headers: Vec<(String, String)>,
    /// The raw body.
    pub body: String,
}

/// Where a captured delivery comes from.
#[derive(Args, Clone)]
pub(crate) struct InputArgs {
    /// File holding the raw body.
    #[arg(long, requires = "signature", conflicts_with_all = ["request", "delivery"])]
    body: Option<PathBuf>,
    /// The Signature header value (with --body).
    #[arg(long)]
    signature: Option<String>,
    /// File holding a captured raw HTTP request (request line, headers, blank line, body).
    #[arg(long, conflicts_with = "delivery")]
    request: Option<PathBuf>,
    /// File holding one delivery JSON line, as printed by `sign`.
    #[arg(long)]
    delivery: Option<PathBuf>,
}

/// A loaded capture: the raw body and the signature header (if any).
pub(crate) struct Captured {
    pub body: Vec<u8>,
    pub signature: Option<String>,
}

fn read(path: &PathBuf) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

impl InputArgs {
    pub(crate) fn load(&self) -> Result<Captured, String> {
        if let Some(body) = &self.body {
            return Ok(Captured {
                body: read(body)?,
                signature: self.signature.clone(),
            });
        }
        if let Some(request) = &self.request {
            return parse_http_request(&read(request)?);
        }
        if let Some(delivery) = &self.delivery {
            let text = String::from_utf8(read(delivery)?)
                .map_err(|_| "the delivery file is not UTF-8".to_string())?;
            let line: DeliveryLine = serde_json::from_str(text.trim())
                .map_err(|e| format!("not a delivery JSON line: {e}"))?;
            return Ok(Captured {
                signature: signature_of(&line.headers),
                body: line.body.into_bytes(),
            });
        }
        Err("give --body FILE --signature SIG, --request FILE or --delivery FILE".into())
    }
}

/// The first `Signature` header, case-insensitively (for display and diagnosis; verification
/// itself goes through the core's own lookup).
pub(crate) fn signature_of(headers: &[(String, String)]) -> Option<String> {
    headers
        .iter()
        .find(|(k, _)| palisade_webhooks::is_signature_header(k))
        .map(|(_, v)| v.clone())
}

/// Parses a raw HTTP/1.1 request capture.
pub(crate) fn parse_http_request(raw: &[u8]) -> Result<Captured, String> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    let status = request
        .parse(raw)
        .map_err(|e| format!("not an HTTP request: {e}"))?;
    let httparse::Status::Complete(offset) = status else {
        return Err("the HTTP request is truncated (no blank line after the headers)".into());
    };
    let pairs: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    Ok(Captured {
        signature: signature_of(&pairs),
        body: raw[offset..].to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_raw_request() {
        let raw =
            b"POST /hook HTTP/1.1\r\nHost: x\r\nsignature: abc\r\nContent-Length: 2\r\n\r\n{}";
        let c = parse_http_request(raw).unwrap();
        assert_eq!(c.body, b"{}");
        assert_eq!(c.signature.as_deref(), Some("abc"));
        assert!(parse_http_request(b"POST / HTTP/1.1\r\nHost").is_err());
    }
}
