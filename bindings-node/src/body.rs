//! A request body handed over from JavaScript: a string, or bytes in an `ArrayBuffer`, a typed
//! array (`Buffer`, `Uint8Array`, ...) or a `DataView`.
//!
//! Bytes are read in place, without a copy, so the borrow must end before any JavaScript runs
//! again: JavaScript could resize, detach or rewrite the buffer under it (a resizable
//! `ArrayBuffer` shrunk under a borrowed view is a segfault). Every caller therefore reads the
//! headers (which may run the caller's getters and Proxy traps) *first*, then the body, then
//! calls the core, which never calls back into JavaScript. A detached buffer is refused; a
//! `SharedArrayBuffer`, which another thread may write at any moment, is copied.

use std::borrow::Cow;
use std::ptr;

use napi::sys;

/// Why a body could not be read.
#[derive(Debug)]
pub enum BodyError {
    /// Not a string or bytes, or a detached buffer (a programming error).
    Type(String),
    /// A N-API call failed (a JS exception may be pending).
    Pending,
}

fn ok(status: sys::napi_status) -> bool {
    status == sys::Status::napi_ok
}

fn check(status: sys::napi_status) -> Result<(), BodyError> {
    if ok(status) {
        Ok(())
    } else {
        Err(BodyError::Pending)
    }
}

fn detached() -> BodyError {
    BodyError::Type(
        "the body's ArrayBuffer is detached (transferred or structured-cloned away): pass \
         the bytes as they were received"
            .into(),
    )
}

/// Bytes per element of a typed array type.
fn element_size(kind: sys::napi_typedarray_type) -> Option<usize> {
    use sys::TypedarrayType as T;
    Some(match kind {
        T::int8_array | T::uint8_array | T::uint8_clamped_array => 1,
        T::int16_array | T::uint16_array => 2,
        T::int32_array | T::uint32_array | T::float32_array => 4,
        T::float64_array | T::bigint64_array | T::biguint64_array => 8,
        _ => return None,
    })
}

/// Reads the body.
///
/// # Safety
/// `env` and `value` must be live handles of the current call, and no JavaScript may run
/// while the returned bytes are alive (they may borrow the buffer in place).
pub unsafe fn read<'a>(
    env: sys::napi_env,
    value: sys::napi_value,
) -> Result<Cow<'a, [u8]>, BodyError> {
    let mut kind = 0;
    check(unsafe { sys::napi_typeof(env, value, &mut kind) })?;
    if kind == sys::ValueType::napi_string {
        return unsafe { string(env, value) }.map(Cow::Owned);
    }
    let (data, len, buffer) = if unsafe { is(env, value, Is::TypedArray)? } {
        let mut array_type = 0;
        let mut count = 0usize;
        let mut data = ptr::null_mut();
        let mut buffer = ptr::null_mut();
        let mut offset = 0usize;
        check(unsafe {
            sys::napi_get_typedarray_info(
                env,
                value,
                &mut array_type,
                &mut count,
                &mut data,
                &mut buffer,
                &mut offset,
            )
        })?;
        let size = element_size(array_type)
            .ok_or_else(|| BodyError::Type("unsupported typed array type".into()))?;
        (data, count.saturating_mul(size), buffer)
    } else if unsafe { is(env, value, Is::DataView)? } {
        let mut len = 0usize;
        let mut data = ptr::null_mut();
        let mut buffer = ptr::null_mut();
        let mut offset = 0usize;
        check(unsafe {
            sys::napi_get_dataview_info(env, value, &mut len, &mut data, &mut buffer, &mut offset)
        })?;
        (data, len, buffer)
    } else if unsafe { is(env, value, Is::ArrayBuffer)? } {
        let mut len = 0usize;
        let mut data = ptr::null_mut();
        check(unsafe { sys::napi_get_arraybuffer_info(env, value, &mut data, &mut len) })?;
        (data, len, value)
    } else {
        return Err(BodyError::Type(
            "the body must be a string, a Buffer, a Uint8Array (or another typed array or \
             DataView) or an ArrayBuffer"
                .into(),
        ));
    };
    // `buffer` is the view's ArrayBuffer, or a SharedArrayBuffer (not an ArrayBuffer to N-API).
    let mut detached_now = false;
    check(unsafe { sys::napi_is_detached_arraybuffer(env, buffer, &mut detached_now) })?;
    if detached_now {
        return Err(detached());
    }
    let shared = !unsafe { is(env, buffer, Is::ArrayBuffer)? };
    if len == 0 {
        return Ok(Cow::Borrowed(&[]));
    }
    if data.is_null() {
        return Err(detached());
    }
    // SAFETY: N-API reported `len` readable bytes at `data`, and the caller guarantees no
    // JavaScript runs (so nothing can resize, detach or free the buffer) while they are used.
    let bytes: &'a [u8] = unsafe { std::slice::from_raw_parts(data.cast::<u8>(), len) };
    Ok(if shared {
        Cow::Owned(bytes.to_vec())
    } else {
        Cow::Borrowed(bytes)
    })
}

/// A N-API type test (`napi_is_typedarray`, ...).
#[derive(Clone, Copy)]
enum Is {
    TypedArray,
    DataView,
    ArrayBuffer,
}

unsafe fn is(env: sys::napi_env, value: sys::napi_value, test: Is) -> Result<bool, BodyError> {
    let mut out = false;
    check(unsafe {
        match test {
            Is::TypedArray => sys::napi_is_typedarray(env, value, &mut out),
            Is::DataView => sys::napi_is_dataview(env, value, &mut out),
            Is::ArrayBuffer => sys::napi_is_arraybuffer(env, value, &mut out),
        }
    })?;
    Ok(out)
}

/// A JS string as UTF-8 bytes.
unsafe fn string(env: sys::napi_env, value: sys::napi_value) -> Result<Vec<u8>, BodyError> {
    let mut len = 0usize;
    check(unsafe { sys::napi_get_value_string_utf8(env, value, ptr::null_mut(), 0, &mut len) })?;
    let mut buf = vec![0u8; len + 1];
    let mut written = 0usize;
    check(unsafe {
        sys::napi_get_value_string_utf8(
            env,
            value,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut written,
        )
    })?;
    buf.truncate(written);
    Ok(buf)
}
