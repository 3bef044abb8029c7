//! Header conversion: a JS plain object (`IncomingHttpHeaders`, `{ name: value }`) or an array
//! of `[name, value]` pairs, read straight from the JS heap.
//!
//! The case-insensitive search for `Signature` stays in the core: this module only hands it
//! `(name, value)` pairs. Names are read as the core iterates; a value is read only when the
//! core asks for it (the matching header), so the other headers cost one name read each.

use std::cell::{OnceCell, RefCell};
use std::ptr;

use napi::sys;
use palisade_webhooks::HeaderPair;

/// Why a header collection could not be read.
#[derive(Debug)]
pub enum HeaderError {
    /// The caller passed something that is not a header collection (a programming error).
    Type(String),
    /// A JS exception is pending (a getter or Proxy trap threw): let it propagate.
    Pending,
}

/// A header collection on the JS heap.
pub struct JsHeaders {
    env: sys::napi_env,
    source: sys::napi_value,
    /// For objects, the array of own enumerable string keys; for pair arrays, the array itself.
    list: sys::napi_value,
    len: u32,
    pairs: bool,
    error: RefCell<Option<HeaderError>>,
}

fn ok(status: sys::napi_status) -> bool {
    status == sys::Status::napi_ok
}

impl JsHeaders {
    /// Wraps `value`, which must be a non-null object (a plain object or an array of pairs).
    ///
    /// # Safety
    /// `env` and `value` must be live handles of the current call.
    pub unsafe fn new(
        env: sys::napi_env,
        value: sys::napi_value,
    ) -> Result<JsHeaders, HeaderError> {
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
        let list = if is_array {
            value
        } else {
            let mut keys = ptr::null_mut();
            let status = unsafe {
                sys::napi_get_all_property_names(
                    env,
                    value,
                    sys::KeyCollectionMode::own_only,
                    sys::KeyFilter::enumerable | sys::KeyFilter::skip_symbols,
                    sys::KeyConversion::numbers_to_strings,
                    &mut keys,
                )
            };
            if !ok(status) {
                return Err(HeaderError::Pending);
            }
            keys
        };
        let mut len = 0;
        if !ok(unsafe { sys::napi_get_array_length(env, list, &mut len) }) {
            return Err(HeaderError::Pending);
        }
        Ok(JsHeaders {
            env,
            source: value,
            list,
            len,
            pairs: is_array,
            error: RefCell::new(None),
        })
    }

    /// The first error met while iterating, if any.
    pub fn take_error(&self) -> Option<HeaderError> {
        self.error.borrow_mut().take()
    }

    fn fail(&self, e: HeaderError) {
        let mut slot = self.error.borrow_mut();
        if slot.is_none() {
            *slot = Some(e);
        }
    }

    /// Reads every pair into owned strings (for work done off the JS thread).
    pub fn to_owned_pairs(&self) -> Result<Vec<(String, String)>, HeaderError> {
        let pairs: Vec<(String, String)> = self
            .iter()
            .map(|h| (h.name().to_string(), h.value().to_string()))
            .collect();
        match self.take_error() {
            Some(e) => Err(e),
            None => Ok(pairs),
        }
    }

    /// Iterates the pairs lazily.
    pub fn iter(&self) -> HeaderIter<'_> {
        HeaderIter {
            headers: self,
            index: 0,
        }
    }

    fn element(&self, array: sys::napi_value, index: u32) -> Option<sys::napi_value> {
        let mut out = ptr::null_mut();
        if ok(unsafe { sys::napi_get_element(self.env, array, index, &mut out) }) {
            Some(out)
        } else {
            self.fail(HeaderError::Pending);
            None
        }
    }

    /// The `index`-th header: its name, read now, and where its value is.
    fn entry(&self, index: u32) -> Option<JsHeader<'_>> {
        let item = self.element(self.list, index)?;
        if self.pairs {
            let mut is_array = false;
            let mut len = 0;
            let is_pair = ok(unsafe { sys::napi_is_array(self.env, item, &mut is_array) })
                && is_array
                && ok(unsafe { sys::napi_get_array_length(self.env, item, &mut len) })
                && len == 2;
            if !is_pair {
                self.fail(HeaderError::Type(format!(
                    "headers[{index}] is not a [name, value] pair"
                )));
                return None;
            }
            let name_value = self.element(item, 0)?;
            let Some(name) = string_of(self.env, name_value, false) else {
                self.fail(HeaderError::Type(format!(
                    "headers[{index}][0] (a header name) is not a string"
                )));
                return None;
            };
            Some(JsHeader {
                headers: self,
                name,
                value: OnceCell::new(),
                place: Place::PairValue(item),
            })
        } else {
            let name = string_of(self.env, item, false)?;
            Some(JsHeader {
                headers: self,
                name,
                value: OnceCell::new(),
                place: Place::Property(item),
            })
        }
    }

    /// Reads a header's value: a string, the first element of an array of values, a number or
    /// boolean as text; anything else (undefined, null, objects) as an empty value.
    fn read_value(&self, place: Place) -> String {
        let value = match place {
            Place::Property(key) => {
                let mut out = ptr::null_mut();
                if !ok(unsafe { sys::napi_get_property(self.env, self.source, key, &mut out) }) {
                    self.fail(HeaderError::Pending);
                    return String::new();
                }
                out
            }
            Place::PairValue(pair) => match self.element(pair, 1) {
                Some(v) => v,
                None => return String::new(),
            },
        };
        let mut is_array = false;
        let value = if ok(unsafe { sys::napi_is_array(self.env, value, &mut is_array) }) && is_array
        {
            match self.element(value, 0) {
                Some(first) => first,
                None => return String::new(),
            }
        } else {
            value
        };
        string_of(self.env, value, true).unwrap_or_default()
    }
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
    // Header names and values are short: one copy through a stack buffer when it fits.
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
        return Some(String::from_utf8_lossy(&buf[..written]).into_owned());
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
    Some(
        String::from_utf8(big)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

#[derive(Clone, Copy)]
enum Place {
    /// The value is `source[key]`.
    Property(sys::napi_value),
    /// The value is `pair[1]`.
    PairValue(sys::napi_value),
}

/// One header: the name (read), the value (read on first use).
pub struct JsHeader<'a> {
    headers: &'a JsHeaders,
    name: String,
    value: OnceCell<String>,
    place: Place,
}

impl HeaderPair for JsHeader<'_> {
    fn name(&self) -> &str {
        &self.name
    }
    fn value(&self) -> &str {
        self.value
            .get_or_init(|| self.headers.read_value(self.place))
    }
}

/// Iterator over [`JsHeaders`]; stops at the first unreadable entry (recorded as an error).
pub struct HeaderIter<'a> {
    headers: &'a JsHeaders,
    index: u32,
}

impl<'a> Iterator for HeaderIter<'a> {
    type Item = JsHeader<'a>;

    fn next(&mut self) -> Option<JsHeader<'a>> {
        while self.index < self.headers.len {
            if self.headers.error.borrow().is_some() {
                return None;
            }
            let index = self.index;
            self.index += 1;
            // Object keys that are not strings cannot occur (numbers are converted); skip any.
            if let Some(h) = self.headers.entry(index) {
                return Some(h);
            }
        }
        None
    }
}
