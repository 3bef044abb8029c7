//! The verified event, as a native object with lazy accessors.
//!
//! Creating it costs one wrapped object; each field becomes a JS string only when read, and the
//! JavaScript layer parses `raw` and `data` on first access only.

use napi_derive::napi;
use palisade_webhooks::{Event, Resource};
use serde_json::{Map, Value};

use crate::core_err;

/// A verified delivery (`Event` in JavaScript).
#[napi(js_name = "Event")]
pub struct JsEvent {
    inner: Event,
}

impl From<Event> for JsEvent {
    fn from(inner: Event) -> Self {
        JsEvent { inner }
    }
}

#[napi]
impl JsEvent {
    /// Restores an event serialised with `toJSONString()` / `JSON.stringify` (in any language).
    /// Does not re-verify anything.
    #[napi(factory, js_name = "_fromJson", catch_unwind)]
    pub fn from_json(json: String) -> napi::Result<Self, String> {
        Event::from_json(&json).map(JsEvent::from).map_err(core_err)
    }

    /// The envelope's domain (unsigned routing hint).
    #[napi(getter, catch_unwind)]
    pub fn domain(&self) -> String {
        self.inner.domain.as_str().to_string()
    }

    /// The envelope's timestamp (unsigned; null when absent).
    #[napi(getter, catch_unwind)]
    pub fn timestamp(&self) -> Option<String> {
        self.inner.timestamp.clone()
    }

    /// `"{domain}/{id}/{updatedAt}"` (`id` and `updatedAt` from the signed payload, each part
    /// percent-encoded for `%`, `/` and control characters), or `"{domain}/sha256:<hex>"`.
    #[napi(getter, catch_unwind)]
    pub fn idempotency_key(&self) -> String {
        self.inner.idempotency_key.clone()
    }

    /// The resource's `id`, or null.
    #[napi(getter, catch_unwind)]
    pub fn resource_id(&self) -> Option<String> {
        self.inner.resource_id.clone()
    }

    /// The resource's `updatedAt`, or null.
    #[napi(getter, catch_unwind)]
    pub fn updated_at(&self) -> Option<String> {
        self.inner.updated_at.clone()
    }

    /// The resource's `status`, or null.
    #[napi(getter, catch_unwind)]
    pub fn status(&self) -> Option<String> {
        self.inner.status.clone()
    }

    /// The signed base64 payload string.
    #[napi(getter, catch_unwind)]
    pub fn payload(&self) -> String {
        self.inner.payload.clone()
    }

    /// Fingerprint of the key that verified the delivery.
    #[napi(getter, catch_unwind)]
    pub fn key_fingerprint(&self) -> String {
        self.inner.key_fingerprint.clone()
    }

    /// The decoded payload JSON text, exactly as signed (parsed by the JS `raw` getter).
    #[napi(getter, js_name = "_rawJson", catch_unwind)]
    pub fn raw_json(&self) -> String {
        self.inner.raw.get().to_string()
    }

    /// The typed resource as JSON (parsed by the JS `data` getter): the core's canonical JSON of
    /// the model (absent fields, and fields sent as `null`, left out) plus `kind`; for an unknown
    /// domain, the raw object plus `kind`.
    #[napi(getter, js_name = "_dataJson", catch_unwind)]
    pub fn data_json(&self) -> String {
        let (kind, value) = match &self.inner.data {
            Resource::Transaction(t) => ("transaction", serde_json::to_value(t)),
            Resource::Wallet(w) => ("wallet", serde_json::to_value(w)),
            Resource::Approval(a) => ("approval", serde_json::to_value(a)),
            _ => ("unknown", serde_json::from_str(self.inner.raw.get())),
        };
        let mut map = match value {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        map.insert("kind".to_string(), Value::String(kind.to_string()));
        Value::Object(map).to_string()
    }

    /// The core's serialised form (snake_case keys, `raw` embedded): what `Event.fromJSON`
    /// and the Python and Go SDKs read back.
    #[napi(js_name = "toJSONString", catch_unwind)]
    pub fn to_json_string(&self) -> String {
        self.inner.to_json()
    }
}
