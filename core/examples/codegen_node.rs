//! Prints the Node binding's generated type and constant files from the core, so they are never
//! restated by hand:
//! - `js`, `dts`: the code constants (`lib/codes.js`, `lib/codes.d.ts`): the delivery error codes
//!   with their HTTP statuses, the receiver's answer codes with theirs, the ticket-settled error;
//! - `resources`: the typed resources (`lib/resources.d.ts`, re-exported by `index.d.ts`): one
//!   interface per model, one open union per string enum, the domains and the `Resource` union,
//!   read from the models' description (`palisade_webhooks::schema`, feature `schema`).
//!
//! Run from the repository root:
//! `cargo run -q -p palisade-webhooks --features schema --example codegen_node -- js > bindings-node/lib/codes.js`
//! `cargo run -q -p palisade-webhooks --features schema --example codegen_node -- dts > bindings-node/lib/codes.d.ts`
//! `cargo run -q -p palisade-webhooks --features schema --example codegen_node -- resources > bindings-node/lib/resources.d.ts`
//!
//! `bindings-node/test/codegen.test.js` fails when the committed files differ from this output.

use palisade_webhooks::receiver::TicketSettled;
use palisade_webhooks::schema::{self, FieldType};
use palisade_webhooks::{AnswerCode, ErrorCode};

const HEADER: &str = "// Generated from the Rust core by core/examples/codegen_node.rs: do not edit.\n\
                      // Regenerate with `cargo run -q -p palisade-webhooks --features schema --example codegen_node -- ";

/// The constant name of a code: `ERR_INVALID_SIGNATURE` → `INVALID_SIGNATURE`,
/// `in_progress` → `IN_PROGRESS`.
fn constant(code: &str) -> String {
    code.strip_prefix("ERR_")
        .unwrap_or(code)
        .to_ascii_uppercase()
}

/// A JavaScript string literal (JSON's is one).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

/// Every named code, in order: delivery codes, receiver codes, then the ticket-settled code.
fn named_codes() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    codes.extend(AnswerCode::RECEIVER_CODES.iter().map(|c| c.as_str()));
    codes.push(TicketSettled::CODE);
    codes
}

fn js() -> String {
    let mut out = format!("{HEADER}js > bindings-node/lib/codes.js`.\n'use strict'\n\n");
    out.push_str(
        "/**\n * The delivery error codes, in the core's stable order, each with the HTTP status a receiver\n \
         * answers it with (`httpStatusFor`).\n * @type {Readonly<Record<import('./codes').ErrorCode, number>>}\n */\n\
         const ERROR_STATUS = Object.freeze({\n",
    );
    for code in ErrorCode::ALL {
        out.push_str(&format!("  {}: {},\n", code.as_str(), code.http_status()));
    }
    out.push_str("})\n\n");
    out.push_str(
        "/**\n * The codes a receiver's answers add to the delivery error codes, each with its HTTP status.\n \
         * @type {Readonly<Record<import('./codes').ReceiverCode, number>>}\n */\n\
         const RECEIVER_STATUS = Object.freeze({\n",
    );
    for code in AnswerCode::RECEIVER_CODES {
        out.push_str(&format!("  {}: {},\n", code.as_str(), code.http_status()));
    }
    out.push_str("})\n\n");
    out.push_str("/** Every code by name: `CODES.INVALID_SIGNATURE === 'ERR_INVALID_SIGNATURE'`. */\nconst CODES = Object.freeze({\n");
    for code in named_codes() {
        out.push_str(&format!("  {}: {},\n", constant(code), quoted(code)));
    }
    out.push_str("})\n\n");
    out.push_str(&format!(
        "/** The error of settling a ticket (or a claim) a second time. */\nconst TICKET_SETTLED = Object.freeze({{\n  code: {},\n  message: {},\n}})\n\n",
        quoted(TicketSettled::CODE),
        quoted(TicketSettled::MESSAGE)
    ));
    out.push_str("module.exports = { ERROR_STATUS, RECEIVER_STATUS, CODES, TICKET_SETTLED }\n");
    out
}

fn union(codes: impl IntoIterator<Item = &'static str>) -> String {
    codes
        .into_iter()
        .map(|c| format!("\n  | {}", quoted(c)))
        .collect()
}

fn dts() -> String {
    let mut out = format!("{HEADER}dts > bindings-node/lib/codes.d.ts`.\n\n");
    out.push_str(&format!(
        "/** A delivery error code (the same strings in every language). */\nexport type ErrorCode ={}\n\n",
        union(ErrorCode::ALL.iter().map(|c| c.as_str()))
    ));
    out.push_str(&format!(
        "/** A code only a receiver's answer carries: the delivery statuses and the receiver-side errors. */\nexport type ReceiverCode ={}\n\n",
        union(AnswerCode::RECEIVER_CODES.iter().map(|c| c.as_str()))
    ));
    out.push_str("/** Every code an answer carries. */\nexport type AnswerCode = ReceiverCode | ErrorCode\n\n");
    out.push_str(&format!(
        "/** The code of settling a ticket (or a claim) twice. */\nexport type TicketSettledCode = {}\n\n",
        quoted(TicketSettled::CODE)
    ));
    out.push_str("/** The delivery error codes with the HTTP status a receiver answers each with. */\nexport declare const ERROR_STATUS: {\n");
    for code in ErrorCode::ALL {
        out.push_str(&format!(
            "  readonly {}: {}\n",
            code.as_str(),
            code.http_status()
        ));
    }
    out.push_str("}\n\n/** The receiver's own codes with their HTTP statuses. */\nexport declare const RECEIVER_STATUS: {\n");
    for code in AnswerCode::RECEIVER_CODES {
        out.push_str(&format!(
            "  readonly {}: {}\n",
            code.as_str(),
            code.http_status()
        ));
    }
    out.push_str("}\n\n/** Every code by name. */\nexport declare const CODES: {\n");
    for code in named_codes() {
        out.push_str(&format!(
            "  readonly {}: {}\n",
            constant(code),
            quoted(code)
        ));
    }
    out.push_str(&format!(
        "}}\n\n/** The error of settling a ticket (or a claim) a second time. */\nexport declare const TICKET_SETTLED: {{\n  readonly code: {}\n  readonly message: {}\n}}\n",
        quoted(TicketSettled::CODE),
        quoted(TicketSettled::MESSAGE)
    ));
    out
}

/// A JSDoc comment (one line when the doc is one line).
fn jsdoc(out: &mut String, indent: &str, doc: &str) {
    let lines: Vec<&str> = doc.lines().collect();
    if let [line] = lines[..] {
        out.push_str(&format!("{indent}/** {line} */\n"));
        return;
    }
    out.push_str(&format!("{indent}/**\n"));
    for line in lines {
        if line.is_empty() {
            out.push_str(&format!("{indent} *\n"));
        } else {
            out.push_str(&format!("{indent} * {line}\n"));
        }
    }
    out.push_str(&format!("{indent} */\n"));
}

/// A TypeScript string literal in the package's style (single quotes).
fn ts_quote(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn ts_type(ty: &FieldType) -> String {
    match ty {
        FieldType::String => "string".into(),
        FieldType::Bool => "boolean".into(),
        FieldType::U32 => "number".into(),
        FieldType::StringMap => "Record<string, string>".into(),
        FieldType::Model(name) | FieldType::Enum(name) => name.clone(),
        FieldType::Json => "unknown".into(),
    }
}

fn open_union(values: impl IntoIterator<Item = String>) -> String {
    let mut out = String::from("Open<\n");
    for value in values {
        out.push_str(&format!("  | {}\n", ts_quote(&value)));
    }
    out.push('>');
    out
}

/// `lib/resources.d.ts`.
fn resources() -> String {
    let models = schema::models();
    let mut out = format!("{HEADER}resources > bindings-node/lib/resources.d.ts`.\n\n");
    out.push_str(
        "// The typed resources (docs/protocol.md). Every field is optional except `id`; enum values this\n\
         // version does not know are kept as strings; 64-bit integers and decimal quantities are strings.\n\n\
         /** A string enum that also accepts values added after this SDK version. */\n\
         type Open<T extends string> = T | (string & {})\n",
    );
    for e in &models.enums {
        out.push('\n');
        jsdoc(&mut out, "", &e.doc);
        out.push_str(&format!(
            "export type {} = {}\n",
            e.name,
            open_union(e.values.iter().cloned())
        ));
    }
    let mut kinds = Vec::new();
    for model in &models.models {
        out.push('\n');
        jsdoc(&mut out, "", &model.doc);
        out.push_str(&format!("export interface {} {{\n", model.name));
        if let Some(domain) = &model.domain {
            // The discriminator the binding's `Event.data` getter adds: the domain, lowercase.
            let kind = domain.as_str().to_ascii_lowercase();
            out.push_str(&format!(
                "  /** The domain ({}), lowercase: switch on `kind` to tell the resources apart. */\n  kind: {}\n",
                domain.as_str(),
                ts_quote(&kind)
            ));
            kinds.push((model.name.clone(), domain.as_str().to_string()));
        }
        for field in &model.fields {
            jsdoc(&mut out, "  ", &field.doc);
            let optional = if field.required { "" } else { "?" };
            out.push_str(&format!(
                "  {}{optional}: {}\n",
                field.wire,
                ts_type(&field.ty)
            ));
        }
        out.push_str("}\n");
    }
    out.push_str(
        "\n/** The resource of a domain this SDK version does not model: the decoded payload's fields. */\n\
         export interface UnknownResource {\n  kind: 'unknown'\n  [field: string]: unknown\n}\n\n\
         /** The typed resource of an event: switch on `kind`. */\nexport type Resource = ",
    );
    for (name, _) in &kinds {
        out.push_str(&format!("{name} | "));
    }
    out.push_str("UnknownResource\n\n");
    out.push_str(&format!(
        "/** The domains Palisade documents (others may appear: they parse as `UnknownResource`). */\n\
         export type Domain = {}\n",
        open_union(kinds.into_iter().map(|(_, domain)| domain))
    ));
    out
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("js") => print!("{}", js()),
        Some("dts") => print!("{}", dts()),
        Some("resources") => print!("{}", resources()),
        _ => {
            eprintln!("usage: codegen_node js|dts|resources");
            std::process::exit(2);
        }
    }
}
