//! The typed resource in a compact binary form, so the Go package fills its structs without a
//! JSON parser (`internal/compact` decodes it).
//!
//! The form is generic: [`encode`] walks any `Serialize` value the way serde_json would write
//! it, so the core's models stay the only description of the resources (no field is named
//! here) and the Go side matches names against its `json` tags. A value is one node: a tag
//! byte, then
//!
//! | tag | node    | then                                                                      |
//! |-----|---------|---------------------------------------------------------------------------|
//! | 0   | null    | nothing (`None`, unit, a non-finite float: what serde_json writes `null` for) |
//! | 1/2 | false/true | nothing                                                                |
//! | 3   | uint    | u64, little-endian                                                        |
//! | 4   | int     | i64, little-endian                                                        |
//! | 5   | float   | f64 bits, little-endian                                                   |
//! | 6   | string  | u32 length, UTF-8 bytes                                                   |
//! | 7   | JSON    | u32 length, serde_json's compact text of a `serde_json::Value`            |
//! | 8   | struct  | u32 count, then per field: u32 name length, name, node                    |
//! | 9   | map     | u32 count, then per entry: key node, value node                           |
//! | 10  | seq     | u32 count, then the element nodes                                         |
//!
//! `serde_json::Value` fields (shapes the documentation does not pin down, `json.RawMessage` in
//! Go) cross as their JSON text, exactly the bytes serde_json writes for them. Enum variants
//! with data are not encoded ([`Unsupported`]): the resources have none, and the Go package
//! then falls back to the canonical JSON (`pw_resource_json`).

use std::fmt;

use serde::ser::{self, Serialize};

/// Tags of the nodes (see the module documentation).
pub(crate) const NULL: u8 = 0;
/// `false`.
pub(crate) const FALSE: u8 = 1;
/// `true`.
pub(crate) const TRUE: u8 = 2;
/// An unsigned integer.
pub(crate) const UINT: u8 = 3;
/// A signed integer.
pub(crate) const INT: u8 = 4;
/// A finite float.
pub(crate) const FLOAT: u8 = 5;
/// A string.
pub(crate) const STR: u8 = 6;
/// A `serde_json::Value`, as its JSON text.
pub(crate) const JSON: u8 = 7;
/// A struct: named fields.
pub(crate) const STRUCT: u8 = 8;
/// A map.
pub(crate) const MAP: u8 = 9;
/// A sequence.
pub(crate) const SEQ: u8 = 10;

/// Appends `value`'s compact binary form to `out`. On failure `out` may hold a partial node;
/// the caller discards it.
pub(crate) fn encode<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
) -> Result<(), Unsupported> {
    value.serialize(Encoder { out })
}

/// A value the compact form does not carry (an enum variant with data, a 128-bit integer).
#[derive(Debug)]
pub(crate) struct Unsupported(String);

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not encodable in the compact form: {}", self.0)
    }
}

impl std::error::Error for Unsupported {}

impl ser::Error for Unsupported {
    fn custom<M: fmt::Display>(msg: M) -> Self {
        Unsupported(msg.to_string())
    }
}

fn unsupported<T>(what: &str) -> Result<T, Unsupported> {
    Err(Unsupported(what.to_string()))
}

/// Whether `T` is a `serde_json::Value` (or an optional one): those cross as JSON text. A type
/// name comparison because `T` need not be `'static` (no `TypeId`); both names come from this
/// same build, so they agree.
fn is_json_value<T: ?Sized>() -> bool {
    let name = std::any::type_name::<T>();
    name == std::any::type_name::<serde_json::Value>()
        || name == std::any::type_name::<Option<serde_json::Value>>()
}

fn put_len(out: &mut Vec<u8>, len: usize) -> Result<(), Unsupported> {
    let len = u32::try_from(len).or_else(|_| unsupported("a length over 4 GiB"))?;
    out.extend_from_slice(&len.to_le_bytes());
    Ok(())
}

/// Writes one node (a field's, an entry's or an element's value).
fn node<T: Serialize + ?Sized>(value: &T, out: &mut Vec<u8>) -> Result<(), Unsupported> {
    if !is_json_value::<T>() {
        return value.serialize(Encoder { out });
    }
    let start = out.len();
    out.push(JSON);
    out.extend_from_slice(&[0; 4]);
    serde_json::to_writer(&mut *out, value).map_err(ser::Error::custom)?;
    let len = out.len() - start - 5;
    if &out[start + 5..] == b"null" {
        out.truncate(start);
        out.push(NULL);
        return Ok(());
    }
    let len = u32::try_from(len).or_else(|_| unsupported("a JSON value over 4 GiB"))?;
    out[start + 1..start + 5].copy_from_slice(&len.to_le_bytes());
    Ok(())
}

struct Encoder<'a> {
    out: &'a mut Vec<u8>,
}

impl<'a> Encoder<'a> {
    fn scalar(self, tag: u8, bytes: [u8; 8]) -> Result<(), Unsupported> {
        self.out.push(tag);
        self.out.extend_from_slice(&bytes);
        Ok(())
    }

    /// Opens a struct, map or seq whose count is patched in when it ends (serde's length hint
    /// is optional for maps and seqs).
    fn compound(self, tag: u8) -> Compound<'a> {
        self.out.push(tag);
        let at = self.out.len();
        self.out.extend_from_slice(&[0; 4]);
        Compound {
            out: self.out,
            at,
            count: 0,
        }
    }
}

struct Compound<'a> {
    out: &'a mut Vec<u8>,
    at: usize,
    count: u32,
}

impl Compound<'_> {
    fn counted(&mut self) -> Result<(), Unsupported> {
        self.count = self
            .count
            .checked_add(1)
            .ok_or_else(|| Unsupported("over 4 billion entries".into()))?;
        Ok(())
    }

    fn finish(self) -> Result<(), Unsupported> {
        self.out[self.at..self.at + 4].copy_from_slice(&self.count.to_le_bytes());
        Ok(())
    }
}

impl<'a> ser::Serializer for Encoder<'a> {
    type Ok = ();
    type Error = Unsupported;
    type SerializeSeq = Compound<'a>;
    type SerializeTuple = Compound<'a>;
    type SerializeTupleStruct = Compound<'a>;
    type SerializeTupleVariant = ser::Impossible<(), Unsupported>;
    type SerializeMap = Compound<'a>;
    type SerializeStruct = Compound<'a>;
    type SerializeStructVariant = ser::Impossible<(), Unsupported>;

    fn serialize_bool(self, v: bool) -> Result<(), Unsupported> {
        self.out.push(if v { TRUE } else { FALSE });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Unsupported> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Unsupported> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Unsupported> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Unsupported> {
        self.scalar(INT, v.to_le_bytes())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Unsupported> {
        self.serialize_u64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Unsupported> {
        self.serialize_u64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Unsupported> {
        self.serialize_u64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Unsupported> {
        self.scalar(UINT, v.to_le_bytes())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Unsupported> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Unsupported> {
        if !v.is_finite() {
            return self.serialize_unit(); // serde_json writes null
        }
        self.scalar(FLOAT, v.to_bits().to_le_bytes())
    }
    fn serialize_char(self, v: char) -> Result<(), Unsupported> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Unsupported> {
        self.out.push(STR);
        put_len(self.out, v.len())?;
        self.out.extend_from_slice(v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Unsupported> {
        // serde_json writes bytes as an array of numbers.
        let mut seq = self.compound(SEQ);
        for &b in v {
            ser::SerializeSeq::serialize_element(&mut seq, &b)?;
        }
        seq.finish()
    }
    fn serialize_none(self) -> Result<(), Unsupported> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unsupported> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Unsupported> {
        self.out.push(NULL);
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Unsupported> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Unsupported> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _value: &T,
    ) -> Result<(), Unsupported> {
        unsupported(variant)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'a>, Unsupported> {
        Ok(self.compound(SEQ))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Compound<'a>, Unsupported> {
        Ok(self.compound(SEQ))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Unsupported> {
        Ok(self.compound(SEQ))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Unsupported> {
        unsupported(variant)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'a>, Unsupported> {
        Ok(self.compound(MAP))
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'a>, Unsupported> {
        Ok(self.compound(STRUCT))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Unsupported> {
        unsupported(variant)
    }
    fn serialize_i128(self, _v: i128) -> Result<(), Unsupported> {
        unsupported("i128")
    }
    fn serialize_u128(self, _v: u128) -> Result<(), Unsupported> {
        unsupported("u128")
    }
}

impl ser::SerializeSeq for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        self.counted()?;
        node(value, self.out)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.finish()
    }
}

impl ser::SerializeTuple for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.finish()
    }
}

impl ser::SerializeMap for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Unsupported> {
        self.counted()?;
        node(key, self.out)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Unsupported> {
        node(value, self.out)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.finish()
    }
}

impl ser::SerializeStruct for Compound<'_> {
    type Ok = ();
    type Error = Unsupported;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Unsupported> {
        self.counted()?;
        put_len(self.out, name.len())?;
        self.out.extend_from_slice(name.as_bytes());
        node(value, self.out)
    }
    fn end(self) -> Result<(), Unsupported> {
        self.finish()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use palisade_webhooks::Event;
    use serde::Serialize;

    use super::*;

    fn encoded<T: Serialize>(value: &T) -> Vec<u8> {
        let mut out = Vec::new();
        encode(value, &mut out).unwrap();
        out
    }

    fn s(text: &str) -> Vec<u8> {
        let mut out = vec![STR];
        out.extend_from_slice(&(text.len() as u32).to_le_bytes());
        out.extend_from_slice(text.as_bytes());
        out
    }

    #[test]
    fn scalars() {
        assert_eq!(encoded(&true), [TRUE]);
        assert_eq!(encoded(&Option::<u32>::None), [NULL]);
        assert_eq!(encoded(&f64::NAN), [NULL]);
        let mut u = vec![UINT];
        u.extend_from_slice(&7u64.to_le_bytes());
        assert_eq!(encoded(&7u32), u);
        let mut i = vec![INT];
        i.extend_from_slice(&(-7i64).to_le_bytes());
        assert_eq!(encoded(&-7i8), i);
        assert_eq!(encoded(&"é\""), s("é\""));
    }

    #[test]
    fn maps_count_their_entries() {
        let m: BTreeMap<&str, &str> = [("a", "1"), ("b", "2")].into();
        let mut want = vec![MAP, 2, 0, 0, 0];
        for part in ["a", "1", "b", "2"] {
            want.extend(s(part));
        }
        assert_eq!(encoded(&m), want);
    }

    #[test]
    fn json_values_cross_as_serde_json_text() {
        #[derive(Serialize)]
        struct T {
            v: Option<serde_json::Value>,
            w: serde_json::Value,
        }
        let t = T {
            v: Some(serde_json::json!({"b": [1, 2.5, "x\u{2028}"], "a": null})),
            w: serde_json::Value::Null,
        };
        let text = serde_json::to_string(t.v.as_ref().unwrap()).unwrap();
        let mut want = vec![STRUCT, 2, 0, 0, 0, 1, 0, 0, 0, b'v', JSON];
        want.extend_from_slice(&(text.len() as u32).to_le_bytes());
        want.extend_from_slice(text.as_bytes());
        want.extend_from_slice(&[1, 0, 0, 0, b'w', NULL]);
        assert_eq!(encoded(&t), want);
    }

    #[test]
    fn enum_variants_with_data_are_refused() {
        #[derive(Serialize)]
        enum E {
            A(u8),
        }
        assert!(encode(&E::A(1), &mut Vec::new()).is_err());
    }

    #[test]
    fn the_resources_encode() {
        for (domain, raw) in [
            (
                "TRANSACTION",
                r#"{"id":"t","qty":1.5,"attributes":{"k":"v"},"config":{"x":[1]},"asset":{"decimals":"6"}}"#,
            ),
            ("WALLET", r#"{"id":"w","settings":{"enabled":true}}"#),
            ("APPROVAL", r#"{"id":"a","reasons":["r"]}"#),
            ("OTHER", r#"{"id":"o"}"#),
        ] {
            let wire = format!(
                r#"{{"domain":"{domain}","idempotency_key":"","payload":"","key_fingerprint":"","raw":{raw}}}"#
            );
            let event = Event::from_json(&wire).unwrap();
            let out = encoded(&event.data);
            assert_eq!(out[0], if domain == "OTHER" { NULL } else { STRUCT });
        }
    }
}
