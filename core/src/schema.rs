//! The resource models as the code generators see them (feature `schema`; not a public API).
//!
//! The typed resources are defined once, in `resources.rs`. The Go, TypeScript and Python types
//! (and the Python binding's getters) are generated from them by `core/examples/codegen_*.rs`
//! (docs/architecture.md, "Rules across languages"). Those generators read this module: the
//! models' JSON Schema, derived by `schemars` from the same serde attributes and doc comments
//! that drive (de)serialisation, reduced to the few shapes the models use. A shape this module
//! does not know panics here, so a new kind of field is taught to the generators on purpose
//! rather than rendered wrongly.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::{Domain, Resource};

/// Every model reachable from [`Resource`], in order of first use.
#[derive(Debug)]
pub struct Models {
    /// The structs, each domain's resource before the models it uses.
    pub models: Vec<Model>,
    /// The string enums.
    pub enums: Vec<StringEnum>,
}

/// A struct of the resources (`Transaction`, `Asset`, ...).
#[derive(Debug)]
pub struct Model {
    /// The Rust (and every language's) type name.
    pub name: String,
    /// Its rustdoc, as Markdown.
    pub doc: String,
    /// The envelope domain whose resource this is (`None` for nested models).
    pub domain: Option<Domain>,
    /// The fields in declaration order.
    pub fields: Vec<Field>,
}

/// One field of a model.
#[derive(Debug)]
pub struct Field {
    /// The name in the JSON payload (camelCase).
    pub wire: String,
    /// The Rust field name (snake_case of `wire` unless the model renames it).
    pub rust: String,
    /// Its rustdoc, as Markdown.
    pub doc: String,
    /// Present in every payload (only `id`); every other field may be absent.
    pub required: bool,
    /// What the value is.
    pub ty: FieldType,
}

/// The shapes a field's value takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    /// A string (decimal quantities and 64-bit integers are strings too).
    String,
    /// A boolean.
    Bool,
    /// A small non-negative integer (fits in 32 bits).
    U32,
    /// An object of string values.
    StringMap,
    /// A nested model, by name.
    Model(String),
    /// A string enum, by name.
    Enum(String),
    /// Any JSON value, kept raw.
    Json,
}

/// A string enum: the known values; any other string is kept as it is.
#[derive(Debug)]
pub struct StringEnum {
    /// The type name.
    pub name: String,
    /// Its rustdoc, as Markdown.
    pub doc: String,
    /// The known wire values, in declaration order.
    pub values: Vec<String>,
}

impl Models {
    /// The model named `name`.
    pub fn model(&self, name: &str) -> &Model {
        self.models
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("no model {name}"))
    }
}

/// `vaultId` -> `["vault", "id"]`, `XRP_LEDGER` -> `["xrp", "ledger"]`: the words of a wire
/// name, lowercase, for each language's naming convention.
pub fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    for part in name.split('_').filter(|p| !p.is_empty()) {
        if part.chars().any(|c| c.is_ascii_lowercase()) {
            let mut word = String::new();
            for c in part.chars() {
                if c.is_ascii_uppercase() && !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                word.push(c.to_ascii_lowercase());
            }
            words.push(word);
        } else {
            words.push(part.to_ascii_lowercase());
        }
    }
    words
}

/// `vault_id` from `vaultId`.
pub fn snake_case(name: &str) -> String {
    words(name).join("_")
}

/// `XrpLedger` from `XRP_LEDGER` (the Rust variant names of the string enums).
pub fn upper_camel_case(name: &str) -> String {
    words(name)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or(String::new(), |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// Reads the models from [`Resource`]'s JSON Schema.
pub fn models() -> Models {
    let root = schemars::schema_for!(Resource);
    let root = root.as_value();
    let defs = root
        .get("$defs")
        .and_then(Value::as_object)
        .expect("the resource schema has $defs");
    let mut walk = Walk {
        defs,
        models: Vec::new(),
        enums: Vec::new(),
        seen: BTreeSet::new(),
    };
    let variants = root
        .get("anyOf")
        .and_then(Value::as_array)
        .expect("Resource is an untagged enum");
    for variant in variants {
        if let Some(name) = ref_name(variant) {
            walk.model(name, true);
        }
    }
    Models {
        models: walk.models,
        enums: walk.enums,
    }
}

struct Walk<'a> {
    defs: &'a Map<String, Value>,
    models: Vec<Model>,
    enums: Vec<StringEnum>,
    seen: BTreeSet<String>,
}

impl<'a> Walk<'a> {
    fn def(&self, name: &str) -> &'a Value {
        self.defs
            .get(name)
            .unwrap_or_else(|| panic!("no schema for {name}"))
    }

    fn model(&mut self, name: &str, top: bool) {
        if !self.seen.insert(name.to_string()) {
            return;
        }
        let schema = self.def(name).clone();
        let domain = top.then(|| {
            let domain = Domain::from(name.to_ascii_uppercase().as_str());
            assert!(
                !matches!(domain, Domain::Unknown(_)),
                "Resource::{name} has no Domain of the same name"
            );
            domain
        });
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or_else(|| panic!("{name} is not a struct"));
        let required: BTreeSet<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let order: Vec<&str> = schema
            .get("x-field-order")
            .and_then(Value::as_array)
            .unwrap_or_else(|| {
                panic!("{name} lacks the x-field-order attribute the other models carry")
            })
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(
            order.iter().copied().collect::<BTreeSet<_>>(),
            properties
                .keys()
                .map(String::as_str)
                .collect::<BTreeSet<_>>(),
            "{name}: serde's fields and the schema's properties differ"
        );
        let mut fields = Vec::new();
        let mut nested = Vec::new();
        for wire in order {
            let property = &properties[wire];
            let ty = self.field_type(name, wire, property);
            if let FieldType::Model(m) = &ty {
                nested.push(m.clone());
            }
            let doc = description(property);
            assert!(!doc.is_empty(), "document {name}.{wire} in the core");
            fields.push(Field {
                wire: wire.to_string(),
                rust: property
                    .get("x-rust-name")
                    .and_then(Value::as_str)
                    .map_or_else(|| snake_case(wire), str::to_string),
                doc,
                required: required.contains(wire),
                ty,
            });
        }
        self.models.push(Model {
            name: name.to_string(),
            doc: description(&schema),
            domain,
            fields,
        });
        for m in nested {
            self.model(&m, false);
        }
    }

    fn field_type(&mut self, model: &str, field: &str, schema: &Value) -> FieldType {
        let Value::Object(obj) = schema else {
            // `true`: any value.
            return FieldType::Json;
        };
        if let Some(name) = ref_name(schema) {
            return self.named(name);
        }
        if let Some(options) = obj.get("anyOf").and_then(Value::as_array) {
            let non_null: Vec<&Value> = options
                .iter()
                .filter(|o| o.get("type").and_then(Value::as_str) != Some("null"))
                .collect();
            if let [only] = non_null[..] {
                return self.field_type(model, field, only);
            }
        }
        let types: Vec<&str> = match obj.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            Some(_) => Vec::new(),
            None if !obj.contains_key("anyOf") && !obj.contains_key("enum") => {
                return FieldType::Json;
            }
            None => Vec::new(),
        };
        let types: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
        match types[..] {
            ["string"] => FieldType::String,
            ["boolean"] => FieldType::Bool,
            ["integer"] if obj.get("format").and_then(Value::as_str) == Some("uint32") => {
                FieldType::U32
            }
            ["object"]
                if obj
                    .get("additionalProperties")
                    .and_then(|a| a.get("type"))
                    .and_then(Value::as_str)
                    == Some("string") =>
            {
                FieldType::StringMap
            }
            _ => panic!(
                "{model}.{field}: a shape the generators do not know ({schema}); \
                 teach core/src/schema.rs and the codegen examples"
            ),
        }
    }

    fn named(&mut self, name: &str) -> FieldType {
        let schema = self.def(name);
        if schema.get("properties").is_some() {
            return FieldType::Model(name.to_string());
        }
        let values = schema
            .get("anyOf")
            .and_then(Value::as_array)
            .and_then(|options| options.iter().find_map(|o| o.get("enum")))
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("{name} is neither a struct nor a string enum"));
        let values = values
            .iter()
            .map(|v| v.as_str().expect("string enum values").to_string())
            .collect();
        if self.seen.insert(name.to_string()) {
            self.enums.push(StringEnum {
                name: name.to_string(),
                doc: description(schema),
                values,
            });
        }
        FieldType::Enum(name.to_string())
    }
}

fn ref_name(schema: &Value) -> Option<&str> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
}

fn description(schema: &Value) -> String {
    schema
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_words() {
        assert_eq!(words("feeQtyLimit"), ["fee", "qty", "limit"]);
        assert_eq!(words("XRP_LEDGER"), ["xrp", "ledger"]);
        assert_eq!(words("SECP256K1"), ["secp256k1"]);
        assert_eq!(snake_case("vaultId"), "vault_id");
        assert_eq!(upper_camel_case("WEB3_RAW"), "Web3Raw");
    }

    #[test]
    fn the_walk_sees_every_model_in_order() {
        let models = models();
        let names: Vec<&str> = models.models.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Transaction",
                "Asset",
                "TransferParty",
                "Wallet",
                "WalletSettings",
                "Approval"
            ]
        );
        let tx = models.model("Transaction");
        assert_eq!(tx.domain, Some(Domain::Transaction));
        assert_eq!(tx.fields[0].wire, "id");
        assert!(tx.fields[0].required && !tx.fields[1].required);
        let qty = tx.fields.iter().find(|f| f.wire == "qty").unwrap();
        assert_eq!(qty.ty, FieldType::String);
        let config = tx.fields.iter().find(|f| f.wire == "config").unwrap();
        assert_eq!(config.ty, FieldType::Json);
        let party = models.model("TransferParty");
        let kind = party.fields.iter().find(|f| f.wire == "type").unwrap();
        assert_eq!(kind.rust, "kind");
        let status = models.enums.iter().find(|e| e.name == "TransactionStatus");
        assert_eq!(status.unwrap().values.len(), 15);
        assert_eq!(models.enums.len(), 7);
    }
}
