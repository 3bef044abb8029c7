//! The `Signature` header of a JS header collection: a plain object (`IncomingHttpHeaders`,
//! `{ name: value }`) or an array of `[name, value]` pairs.
//!
//! Only that header matters to verification, so only its value is converted: the other names
//! are compared in a stack buffer and their values never read (no per-header allocation, no
//! getter run for them). The match is the core's (`is_signature_header`: the first name equal to
//! [`SIGNATURE_HEADER`], trimmed, ignoring ASCII case), so the one value found is
//! handed to the core as a one-pair list and the core still makes the decision.
//!
//! Reading a header collection can run the caller's JavaScript (getters, Proxy traps), and that
//! code can change or detach the body's buffer. So every call reads the headers completely,
//! here, *before* it looks at the body (see `body.rs`); no JavaScript runs after that.

use std::ptr;

use napi::sys;
use palisade_webhooks::{is_signature_header, SIGNATURE_HEADER};

/// Why a header collection could not be read.
#[derive(Debug)]
pub enum HeaderError {
    /// The caller passed something that is not a header collection (a programming error).
    Type(String),
    /// A JS exception is pending (a getter or Proxy trap threw): let it propagate.
    Pending,
}

/// The `Signature` header's value (`None` when the collection has none), as a header list the
/// core's header search reads: empty, or that one pair.
#[derive(Debug, Default)]
pub struct Signature(Option<String>);

impl Signature {
    /// The value, for the calls that take it directly.
    pub fn value(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// The header as a (zero- or one-pair) header list, for the calls that search headers.
    pub fn pairs(&self) -> Option<(&'static str, &str)> {
        self.0.as_deref().map(|v| (SIGNATURE_HEADER, v))
    }
}

fn ok(status: sys::napi_status) -> bool {
    status == sys::Status::napi_ok
}

/// Finds the `Signature` header in `value`, which must be a non-null object (a plain object or
/// an array of pairs). The first matching name wins, in the collection's order.
///
/// # Safety
/// `env` and `value` must be live handles of the current call.
pub unsafe fn signature(
    env: sys::napi_env,
    value: sys::napi_value,
) -> Result<Signature, HeaderError> {
    let mut kind = 0;
    if !ok(unsafe { sys::napi_typeof(env, value, &mut kind) }) {
        return Err(HeaderError::Pending);
    }
    if kind != sys::ValueType::napi_object {
        return Err(HeaderError::Type(
            "headers must be an object (IncomingHttpHeaders, a plain object), a Fetch Headers, \
             a Map or an array of [name, value] pairs"
                .into(),
        ));
    }
    let mut is_array = false;
    if !ok(unsafe { sys::napi_is_array(env, value, &mut is_array) }) {
        return Err(HeaderError::Pending);
    }
    let reader = Reader { env };
    let found = if is_array {
        reader.pairs(value)?
    } else {
        reader.object(value)?
    };
    Ok(Signature(found))
}

struct Reader {
    env: sys::napi_env,
}

impl Reader {
    fn length(&self, array: sys::napi_value) -> Result<u32, HeaderError> {
        let mut len = 0;
        if ok(unsafe { sys::napi_get_array_length(self.env, array, &mut len) }) {
            Ok(len)
        } else {
            Err(HeaderError::Pending)
        }
    }

    fn element(&self, array: sys::napi_value, index: u32) -> Result<sys::napi_value, HeaderError> {
        let mut out = ptr::null_mut();
        if ok(unsafe { sys::napi_get_element(self.env, array, index, &mut out) }) {
            Ok(out)
        } else {
            Err(HeaderError::Pending)
        }
    }

    /// `[[name, value], ...]`. Every item is still checked to be a pair with a string name (a
    /// malformed list is refused wherever the Signature header is).
    fn pairs(&self, list: sys::napi_value) -> Result<Option<String>, HeaderError> {
        let len = self.length(list)?;
        let mut found = None;
        for index in 0..len {
            let item = self.element(list, index)?;
            let mut is_array = false;
            let is_pair = ok(unsafe { sys::napi_is_array(self.env, item, &mut is_array) })
                && is_array
                && self.length(item)? == 2;
            if !is_pair {
                return Err(HeaderError::Type(format!(
                    "headers[{index}] is not a [name, value] pair"
                )));
            }
            let name = self.element(item, 0)?;
            let Some(matches) = name_is_signature_header(self.env, name) else {
                return Err(HeaderError::Type(format!(
                    "headers[{index}][0] (a header name) is not a string"
                )));
            };
            if matches && found.is_none() {
                let value = self.element(item, 1)?;
                found = Some(self.value(value)?);
            }
        }
        Ok(found)
    }

    /// `{ name: value }`: own enumerable string keys, in property order; only the first
    /// Signature property is read.
    fn object(&self, source: sys::napi_value) -> Result<Option<String>, HeaderError> {
        let mut keys = ptr::null_mut();
        let status = unsafe {
            sys::napi_get_all_property_names(
                self.env,
                source,
                sys::KeyCollectionMode::own_only,
                sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
                sys::KeyConversion::numbers_to_strings,
                &mut keys,
            )
        };
        if !ok(status) {
            return Err(HeaderError::Pending);
        }
        let len = self.length(keys)?;
        for index in 0..len {
            let key = self.element(keys, index)?;
            // Keys are strings (symbols skipped, numbers converted); skip anything else.
            if name_is_signature_header(self.env, key) != Some(true) {
                continue;
            }
            let mut value = ptr::null_mut();
            if !ok(unsafe { sys::napi_get_property(self.env, source, key, &mut value) }) {
                return Err(HeaderError::Pending);
            }
            return self.value(value).map(Some);
        }
        Ok(None)
    }

    /// A header's value: a string, the first element of an array of values, a number or
    /// boolean as text; anything else (undefined, null, objects) as an empty value.
    fn value(&self, value: sys::napi_value) -> Result<String, HeaderError> {
        let mut is_array = false;
        let value = if ok(unsafe { sys::napi_is_array(self.env, value, &mut is_array) }) && is_array
        {
            if self.length(value)? == 0 {
                return Ok(String::new());
            }
            self.element(value, 0)?
        } else {
            value
        };
        Ok(string_of(self.env, value, true).unwrap_or_default())
    }
}

/// Whether a header name (a JS string) is the signature header; `None` when it is not a string.
/// Names are compared in a stack buffer: no allocation unless a name is longer than it.
fn name_is_signature_header(env: sys::napi_env, value: sys::napi_value) -> Option<bool> {
    let mut kind = 0;
    if !ok(unsafe { sys::napi_typeof(env, value, &mut kind) })
        || kind != sys::ValueType::napi_string
    {
        return None;
    }
    with_str(env, value, is_signature_header)
}

/// Reads a JS string (or, with `coerce`, a number/boolean/bigint as text) into a Rust string.
fn string_of(env: sys::napi_env, value: sys::napi_value, coerce: bool) -> Option<String> {
    let mut kind = 0;
    if !ok(unsafe { sys::napi_typeof(env, value, &mut kind) }) {
        return None;
    }
    let value = match kind {
        sys::ValueType::napi_string => value,
        sys::ValueType::napi_number
        | sys::ValueType::napi_boolean
        | sys::ValueType::napi_bigint
            if coerce =>
        {
            let mut text = ptr::null_mut();
            if !ok(unsafe { sys::napi_coerce_to_string(env, value, &mut text) }) {
                return None;
            }
            text
        }
        _ => return None,
    };
    with_str(env, value, str::to_owned)
}

/// Runs `f` on a JS string's UTF-8 text. Header names and values are short: they are copied
/// through a stack buffer, and only a longer string is read into the heap.
fn with_str<R>(env: sys::napi_env, value: sys::napi_value, f: impl FnOnce(&str) -> R) -> Option<R> {
    let mut buf = [0u8; 256];
    let mut written = 0usize;
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            env,
            value,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut written,
        )
    };
    if !ok(status) {
        return None;
    }
    if written < buf.len() - 1 {
        return Some(f(&String::from_utf8_lossy(&buf[..written])));
    }
    let mut len = 0usize;
    if !ok(unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut len) }) {
        return None;
    }
    let mut big = vec![0u8; len + 1];
    let status = unsafe {
        sys::napi_get_value_string_utf8(
            env,
            value,
            big.as_mut_ptr().cast(),
            big.len(),
            &mut written,
        )
    };
    if !ok(status) {
        return None;
    }
    big.truncate(written);
    Some(f(&String::from_utf8_lossy(&big)))
}
