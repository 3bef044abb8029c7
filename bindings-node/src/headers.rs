//! Header conversion: a JS plain object (`IncomingHttpHeaders`, `{ name: value }`) or an array
//! of `[name, value]` pairs, read into owned `(name, value)` strings.
//!
//! Reading a header collection can run the caller's JavaScript (getters, Proxy traps), and that
//! code can change or detach the body's buffer. So every call reads the headers completely,
//! here, *before* it looks at the body (see `body.rs`); no JavaScript runs after that.
//! The case-insensitive search for `Signature` stays in the core.

use std::ptr;

use napi::sys;

/// Why a header collection could not be read.
#[derive(Debug)]
pub enum HeaderError {
    /// The caller passed something that is not a header collection (a programming error).
    Type(String),
    /// A JS exception is pending (a getter or Proxy trap threw): let it propagate.
    Pending,
}

/// Owned header pairs, in the order the collection lists them.
pub type Pairs = Vec<(String, String)>;

fn ok(status: sys::napi_status) -> bool {
    status == sys::Status::napi_ok
}

/// Reads `value`, which must be a non-null object (a plain object or an array of pairs).
///
/// # Safety
/// `env` and `value` must be live handles of the current call.
pub unsafe fn read(env: sys::napi_env, value: sys::napi_value) -> Result<Pairs, HeaderError> {
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
    if is_array {
        reader.pairs(value)
    } else {
        reader.object(value)
    }
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

    /// `[[name, value], ...]`.
    fn pairs(&self, list: sys::napi_value) -> Result<Pairs, HeaderError> {
        let len = self.length(list)?;
        let mut out = Vec::with_capacity(len as usize);
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
            let Some(name) = string_of(self.env, name, false) else {
                return Err(HeaderError::Type(format!(
                    "headers[{index}][0] (a header name) is not a string"
                )));
            };
            let value = self.element(item, 1)?;
            out.push((name, self.value(value)?));
        }
        Ok(out)
    }

    /// `{ name: value }`: own enumerable string keys, in property order.
    fn object(&self, source: sys::napi_value) -> Result<Pairs, HeaderError> {
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
        let mut out = Vec::with_capacity(len as usize);
        for index in 0..len {
            let key = self.element(keys, index)?;
            // Keys are strings (symbols skipped, numbers converted); skip anything else.
            let Some(name) = string_of(self.env, key, false) else {
                continue;
            };
            let mut value = ptr::null_mut();
            if !ok(unsafe { sys::napi_get_property(self.env, source, key, &mut value) }) {
                return Err(HeaderError::Pending);
            }
            out.push((name, self.value(value)?));
        }
        Ok(out)
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
