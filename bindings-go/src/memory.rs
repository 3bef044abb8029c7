//! Memory across the boundary: the owned buffer (`PwBuf`) and borrowed view (`PwStr`) types,
//! and the helpers every export uses to read caller memory (pointer + length, flat string
//! lists) and to write outputs (out-pointers, new handles) without leaking on a failure.

use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use crate::status::Fail;

/// An owned byte buffer allocated by this library. `ptr` is NULL when empty-and-unset;
/// `ptr[len]` is a NUL byte. Free with `pw_buf_free`.
#[repr(C)]
#[derive(Debug)]
pub struct PwBuf {
    /// First byte (NUL-terminated).
    pub ptr: *mut u8,
    /// Length in bytes, without the terminator.
    pub len: usize,
}

impl PwBuf {
    pub(crate) const EMPTY: PwBuf = PwBuf {
        ptr: ptr::null_mut(),
        len: 0,
    };

    pub(crate) fn from_vec(mut bytes: Vec<u8>) -> PwBuf {
        let len = bytes.len();
        bytes.push(0);
        let boxed = bytes.into_boxed_slice();
        PwBuf {
            ptr: Box::into_raw(boxed) as *mut u8,
            len,
        }
    }

    pub(crate) fn from_string(s: String) -> PwBuf {
        PwBuf::from_vec(s.into_bytes())
    }

    /// Frees the bytes (if any) and resets the buffer to empty.
    ///
    /// # Safety
    /// `self` must come from `from_vec` (or be EMPTY).
    pub(crate) unsafe fn release(&mut self) {
        if !self.ptr.is_null() {
            let slice = ptr::slice_from_raw_parts_mut(self.ptr, self.len + 1);
            // SAFETY: allocated by `from_vec` as a boxed slice of exactly len + 1 bytes.
            drop(unsafe { Box::from_raw(slice) });
        }
        *self = PwBuf::EMPTY;
    }
}

/// A borrowed view of text owned by a handle, or static. `ptr` is NULL when the value is
/// absent; a present empty string has a non-NULL `ptr` and `len` 0 (do not dereference it).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PwStr {
    /// First byte (not NUL-terminated).
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

impl PwStr {
    pub(crate) const ABSENT: PwStr = PwStr {
        ptr: ptr::null(),
        len: 0,
    };

    pub(crate) fn of(s: &str) -> PwStr {
        PwStr {
            ptr: s.as_ptr(),
            len: s.len(),
        }
    }

    pub(crate) fn opt(s: Option<&str>) -> PwStr {
        s.map_or(PwStr::ABSENT, PwStr::of)
    }
}

/// Frees a buffer's memory and resets it to empty. Accepts NULL and empty buffers.
///
/// # Safety
/// `buf` is NULL or points to a `PwBuf` filled by this library (or zeroed).
#[no_mangle]
pub unsafe extern "C" fn pw_buf_free(buf: *mut PwBuf) {
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: guaranteed by the caller.
        if let Some(buf) = unsafe { buf.as_mut() } {
            // SAFETY: filled by this library.
            unsafe { buf.release() };
        }
    }));
}

/// Frees a boxed handle made by [`put_handle`]. Accepts NULL. Backs every `pw_*_free` of a
/// handle type.
///
/// # Safety
/// `handle` is NULL or a live handle of type `T` from this library, freed once.
pub(crate) unsafe fn free_handle<T>(handle: *mut T) {
    if !handle.is_null() {
        // SAFETY: guaranteed by the caller.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(handle) })));
    }
}

/// Borrows `len` bytes at `ptr` (NULL allowed when `len` is 0).
///
/// # Safety
/// `ptr` is NULL or valid for reads of `len` bytes for `'a`.
pub(crate) unsafe fn bytes<'a>(ptr: *const u8, len: usize, what: &str) -> Result<&'a [u8], Fail> {
    if ptr.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(Fail::arg(format!("{what} is NULL with a length of {len}")));
    }
    // SAFETY: guaranteed by the caller.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// Borrows text (lossily decoded when it is not UTF-8).
///
/// # Safety
/// As for [`bytes`].
pub(crate) unsafe fn text<'a>(
    ptr: *const u8,
    len: usize,
    what: &str,
) -> Result<Cow<'a, str>, Fail> {
    // SAFETY: forwarded.
    Ok(String::from_utf8_lossy(unsafe { bytes(ptr, len, what)? }))
}

/// Splits a flat string list (`data` holding `count` strings back to back, their lengths in
/// `lens`) into borrowed, lossily decoded strings.
///
/// # Safety
/// `data` valid for `data_len` bytes, `lens` valid for `count` elements (each NULL when 0).
pub(crate) unsafe fn string_list<'a>(
    data: *const u8,
    data_len: usize,
    lens: *const usize,
    count: usize,
    what: &str,
) -> Result<Vec<Cow<'a, str>>, Fail> {
    // SAFETY: forwarded.
    let data = unsafe { bytes(data, data_len, what)? };
    let lens: &[usize] = if count == 0 {
        &[]
    } else if lens.is_null() {
        return Err(Fail::arg(format!("{what}: lengths array is NULL")));
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { std::slice::from_raw_parts(lens, count) }
    };
    let mut out = Vec::with_capacity(lens.len());
    let mut at = 0usize;
    for &len in lens {
        let end = at
            .checked_add(len)
            .filter(|&end| end <= data.len())
            .ok_or_else(|| Fail::arg(format!("{what}: lengths exceed the buffer")))?;
        out.push(String::from_utf8_lossy(&data[at..end]));
        at = end;
    }
    if at != data.len() {
        return Err(Fail::arg(format!(
            "{what}: lengths do not add up to the buffer length"
        )));
    }
    Ok(out)
}

/// Request headers passed flat: `header_count` (name, value) pairs, so `header_lens` holds
/// `2 * header_count` lengths (name, value, name, value, ...).
pub(crate) struct Headers<'a>(Vec<Cow<'a, str>>);

impl<'a> Headers<'a> {
    /// Reads the flat list.
    ///
    /// # Safety
    /// As for [`string_list`], with `2 * header_count` lengths.
    pub(crate) unsafe fn read(
        data: *const u8,
        data_len: usize,
        lens: *const usize,
        header_count: usize,
    ) -> Result<Headers<'a>, Fail> {
        let count = header_count
            .checked_mul(2)
            .ok_or_else(|| Fail::arg("header_count overflows"))?;
        // SAFETY: forwarded.
        Ok(Headers(unsafe {
            string_list(data, data_len, lens, count, "headers")?
        }))
    }

    /// The (name, value) pairs, in the order given.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .chunks_exact(2)
            .map(|p| (p[0].as_ref(), p[1].as_ref()))
    }
}

/// Borrows a handle, or fails when it is NULL.
///
/// # Safety
/// `p` is NULL or valid for reads.
pub(crate) unsafe fn handle<'a, T>(p: *const T, what: &str) -> Result<&'a T, Fail> {
    // SAFETY: guaranteed by the caller.
    unsafe { p.as_ref() }.ok_or_else(|| Fail::arg(format!("{what} is NULL")))
}

/// Borrows a handle mutably, or fails when it is NULL.
///
/// # Safety
/// `p` is NULL or valid for reads and writes, used by no other thread during the call.
pub(crate) unsafe fn handle_mut<'a, T>(p: *mut T, what: &str) -> Result<&'a mut T, Fail> {
    // SAFETY: guaranteed by the caller.
    unsafe { p.as_mut() }.ok_or_else(|| Fail::arg(format!("{what} is NULL")))
}

/// Writes `value` through an out-pointer, or fails when it is NULL.
///
/// # Safety
/// `out` is NULL or valid for writes.
pub(crate) unsafe fn put<T>(out: *mut T, value: T, what: &str) -> Result<(), Fail> {
    if out.is_null() {
        return Err(Fail::arg(format!("{what} (output) is NULL")));
    }
    // SAFETY: guaranteed by the caller.
    unsafe { ptr::write(out, value) };
    Ok(())
}

/// Boxes `value` into a new handle written through `out`; checks `out` first, so a NULL
/// out-pointer never leaks the handle.
///
/// # Safety
/// `out` is NULL or valid for writes.
pub(crate) unsafe fn put_handle<T>(out: *mut *mut T, value: T) -> Result<(), Fail> {
    if out.is_null() {
        return Err(Fail::arg("out (output) is NULL"));
    }
    // SAFETY: checked non-NULL; the caller guarantees validity.
    unsafe { ptr::write(out, Box::into_raw(Box::new(value))) };
    Ok(())
}
