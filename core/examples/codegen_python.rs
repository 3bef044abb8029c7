//! Prints the Python SDK's generated files from the core, so they are never restated by hand:
//! - `errors`: `bindings-python/python/palisade_webhooks/_errors.py`, one exception class per
//!   delivery error code, `TicketSettledError`, and the closed set of codes a receiver answers
//!   with;
//! - `stub`: the resource classes of `bindings-python/python/palisade_webhooks/_native.pyi`, the
//!   region between its `BEGIN GENERATED` and `END GENERATED` lines;
//! - `rs`: `bindings-python/src/resources_gen.rs`, the PyO3 classes of the resources (one getter
//!   per field), included by `bindings-python/src/event.rs`.
//!
//! The resources are read from the models' description (`palisade_webhooks::schema`, feature
//! `schema`). Run: `cargo run -q -p palisade-webhooks --features schema --example codegen_python
//! -- errors > bindings-python/python/palisade_webhooks/_errors.py`; `PALISADE_UPDATE_CODEGEN=1`
//! over the Python suite's generated-code tests (bindings-python/tests/test_codegen.py) writes
//! all three. Those tests fail when a committed file differs from what this prints.

use std::fmt::Write as _;

use palisade_webhooks::receiver::TicketSettled;
use palisade_webhooks::schema::{self, FieldType, Model};
use palisade_webhooks::{AnswerCode, ErrorCode};

/// `ERR_MISSING_SIGNATURE` -> `MissingSignatureError`.
fn class_name(code: &str) -> String {
    let mut name: String = code
        .trim_start_matches("ERR_")
        .split('_')
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect();
    name.push_str("Error");
    name
}

/// The docstring of a code's class (reStructuredText, as the rest of the package).
fn doc(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::MissingSignature => "No ``Signature`` header (or an empty one).",
        ErrorCode::MalformedSignature => {
            "The signature is not base64, not strict DER, or looks like a raw ``r||s`` pair."
        }
        ErrorCode::InvalidSignature => {
            "The signature is well-formed but no configured key verifies the payload."
        }
        ErrorCode::InvalidPublicKey => "A public key could not be parsed as a P-256 key.",
        ErrorCode::BodyNotRaw => {
            "The body passed to ``verify`` was not the raw request body (e.g. a parsed ``dict``)."
        }
        ErrorCode::BodyTooLarge => "The body is larger than ``max_body_bytes``.",
        ErrorCode::MalformedEnvelope => "The body is not a JSON object with a ``payload`` string.",
        ErrorCode::MalformedPayload => {
            "The payload is not base64 of a JSON object, or does not fit its domain's model."
        }
        ErrorCode::StaleEvent => {
            "The signed ``updatedAt`` is older than ``max_age`` (or missing while it is set)."
        }
        ErrorCode::StoreUnavailable => "The idempotency store could not be reached or failed.",
        other => panic!("no docstring for {other}: add one to codegen_python.rs"),
    }
}

fn tuple(codes: &[&str]) -> String {
    let mut out = String::from("(\n");
    for code in codes {
        let _ = writeln!(out, "    {code:?},");
    }
    out.push(')');
    out
}

fn errors() -> String {
    let error_codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    let receiver_codes: Vec<&str> = AnswerCode::RECEIVER_CODES
        .iter()
        .map(|c| c.as_str())
        .collect();
    let mut classes = String::new();
    let mut names = Vec::new();
    for code in ErrorCode::ALL {
        let name = class_name(code.as_str());
        let _ = write!(
            classes,
            "\n\nclass {name}(WebhookError):\n    \"\"\"{doc}\n\n    Answered with HTTP status \
             {status}.\n    \"\"\"\n\n    code = {code:?}\n",
            doc = doc(code),
            status = code.http_status(),
            code = code.as_str(),
        );
        names.push(name);
    }
    let settled = class_name(TicketSettled::CODE);
    let _ = write!(
        classes,
        "\n\nclass {settled}(WebhookError):\n    \"\"\"A ticket (or a claim) was finished a second \
         time: a delivery is settled exactly once,\n    and the first settlement stands.\"\"\"\n\n    \
         code = {code:?}\n\n    def __init__(self, message: str = _TICKET_SETTLED_MESSAGE) -> None:\n        \
         super().__init__(message)\n",
        code = TicketSettled::CODE,
    );
    let mut all = vec![
        "ERROR_CODES".to_string(),
        "RECEIVER_CODES".to_string(),
        "TICKET_SETTLED".to_string(),
        "WebhookError".to_string(),
    ];
    all.extend(names.iter().cloned());
    all.push(settled.clone());
    let all: String = all.iter().map(|n| format!("    {n:?},\n")).collect();
    let by_code: String = names
        .iter()
        .chain([&settled])
        .map(|n| format!("        {n},\n"))
        .collect();

    format!(
        r#"# Generated from the Rust core by core/examples/codegen_python.rs: do not edit. Regenerate with
# cargo run -q -p palisade-webhooks --features schema --example codegen_python -- errors > bindings-python/python/palisade_webhooks/_errors.py
"""The exceptions of palisade_webhooks, one class per stable error code, and the codes a
receiver answers with.

Every failure of a delivery raises a subclass of :class:`WebhookError`; its ``code`` is the same
string in the Python, Node.js, Go and Rust SDKs. ``_BY_CODE`` is the one table from code to class
(the native module raises through it).
"""

from __future__ import annotations

from typing import ClassVar, Final

__all__ = [
{all}]

ERROR_CODES: Final[tuple[str, ...]] = {error_codes}
"""The delivery error codes, each with its exception class below."""

RECEIVER_CODES: Final[tuple[str, ...]] = {receiver_codes}
"""The codes a receiver's ``Answer`` carries besides the delivery error codes."""

TICKET_SETTLED: Final = {settled_code:?}
"""The code of finishing a ticket (or a claim) twice."""

_TICKET_SETTLED_MESSAGE: Final = (
    {settled_message:?}
)


class WebhookError(Exception):
    """Base class of every SDK error.

    ``code`` is the stable error code (for example ``"ERR_INVALID_SIGNATURE"``) and ``message``
    says what to fix; messages never quote unauthenticated input (body, headers, payload
    contents): they name kinds and positions, in at most 200 characters.
    """

    code: ClassVar[str] = "ERR_WEBHOOK"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return f"{{self.code}}: {{self.message}}"
{classes}

# Shown (and pickled) under the package that exports them.
for _cls in (WebhookError, *WebhookError.__subclasses__()):
    _cls.__module__ = "palisade_webhooks"
del _cls

_BY_CODE: dict[str, type[WebhookError]] = {{
    cls.code: cls
    for cls in (
{by_code}    )
}}
"#,
        error_codes = tuple(&error_codes),
        receiver_codes = tuple(&receiver_codes),
        settled_code = TicketSettled::CODE,
        settled_message = TicketSettled::MESSAGE,
    )
}

/// The core's Markdown as reStructuredText, as the rest of the package writes docstrings: code
/// spans take double backticks.
fn rst(doc: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in doc.chars() {
        if c == '`' {
            out.push_str("``");
            inside = !inside;
        } else {
            out.push(c);
        }
    }
    assert!(!inside, "unbalanced backticks in {doc:?}");
    out
}

/// A docstring at `indent`: one line when it fits, else the closing quotes on their own line.
fn docstring(out: &mut String, indent: &str, doc: &str) {
    let doc = rst(doc);
    let lines: Vec<&str> = doc.lines().collect();
    if let [line] = lines[..] {
        let _ = writeln!(out, "{indent}\"\"\"{line}\"\"\"");
        return;
    }
    let _ = writeln!(out, "{indent}\"\"\"{}", lines[0]);
    for line in &lines[1..] {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{indent}{line}");
        }
    }
    let _ = writeln!(out, "{indent}\"\"\"");
}

fn py_type(ty: &FieldType) -> String {
    match ty {
        FieldType::String | FieldType::Enum(_) => "str".into(),
        FieldType::Bool => "bool".into(),
        FieldType::U32 => "int".into(),
        FieldType::StringMap => "dict[str, str]".into(),
        FieldType::Model(name) => name.clone(),
        FieldType::Json => "Any".into(),
    }
}

/// `text` broken into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> String {
    let mut lines: Vec<String> = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for word in paragraph.split(' ') {
            if !line.is_empty() && line.len() + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines.join("\n")
}

/// What the class docstring adds to the core's: which attributes may be `None`, where enums and
/// the rest of the payload are.
fn class_note(model: &Model) -> String {
    let required: Vec<String> = model
        .fields
        .iter()
        .filter(|f| f.required)
        .map(|f| format!("`{}`", schema::snake_case(&f.wire)))
        .collect();
    let mut note = if required.is_empty() {
        "Every attribute may be `None`".to_string()
    } else {
        format!(
            "Every attribute except {} may be `None`",
            required.join(", ")
        )
    };
    if model
        .fields
        .iter()
        .any(|f| matches!(f.ty, FieldType::Enum(_)))
    {
        note.push_str("; enums are strings (values this SDK does not know are kept as they are)");
    }
    if model.domain.is_some() {
        note.push_str("; the whole payload is in `raw`");
    }
    note.push('.');
    wrap(&note, 88)
}

const STUB_BEGIN: &str =
    "# --- BEGIN GENERATED by core/examples/codegen_python.rs (stub): do not edit ---\n";
const STUB_END: &str = "# --- END GENERATED ---\n";

/// The resource classes of `_native.pyi`, between their marker lines.
fn stub() -> String {
    let models = schema::models();
    let mut out = String::from(STUB_BEGIN);
    for model in &models.models {
        out.push_str("\n@final\n");
        let _ = writeln!(out, "class {}:", model.name);
        docstring(
            &mut out,
            "    ",
            &format!("{}\n\n{}", model.doc, class_note(model)),
        );
        out.push('\n');
        for field in &model.fields {
            let optional = if field.required || field.ty == FieldType::Json {
                ""
            } else {
                " | None"
            };
            let _ = writeln!(
                out,
                "    @property\n    def {}(self) -> {}{optional}:",
                schema::snake_case(&field.wire),
                py_type(&field.ty)
            );
            docstring(&mut out, "        ", &field.doc);
        }
        if model.domain.is_some() {
            out.push_str(
                "    @property\n    def raw(self) -> dict[str, Any]:\n        \
                 \"\"\"The decoded payload (the same object as ``Event.raw``).\"\"\"\n",
            );
        }
    }
    out.push('\n');
    out.push_str(STUB_END);
    out
}

fn rust_doc(out: &mut String, indent: &str, doc: &str) {
    for line in doc.lines() {
        if line.is_empty() {
            let _ = writeln!(out, "{indent}///");
        } else {
            let _ = writeln!(out, "{indent}/// {line}");
        }
    }
}

/// A Python attribute name as a Rust identifier (`type` is a keyword).
fn rust_ident(name: &str) -> String {
    match name {
        "type" | "match" | "ref" | "mod" | "fn" | "impl" | "move" | "loop" | "use" => {
            format!("r#{name}")
        }
        other => other.to_string(),
    }
}

/// `bindings-python/src/resources_gen.rs`.
fn rs() -> String {
    let models = schema::models();
    let mut out = String::from(
        "// Generated from the Rust core by core/examples/codegen_python.rs: do not edit. Regenerate with\n\
         // PALISADE_UPDATE_CODEGEN=1 over bindings-python/tests/test_codegen.py (see that file).\n\
         //\n\
         // The resources' Python classes, one getter per field of the core's models. Included by\n\
         // event.rs, which defines the macros and conversions used here.\n\n",
    );
    let mut types: Vec<&str> = models.models.iter().map(|m| m.name.as_str()).collect();
    types.extend(models.enums.iter().map(|e| e.name.as_str()));
    types.sort_unstable();
    let _ = writeln!(out, "use palisade_webhooks::{{");
    for name in types {
        let _ = writeln!(out, "    {name},");
    }
    out.push_str("};\n\n// The string enums are `str` in Python.\nto_py_as_str!(\n");
    for e in &models.enums {
        let _ = writeln!(out, "    {},", e.name);
    }
    out.push_str(");\n");
    for model in &models.models {
        out.push('\n');
        let (mac, variant) = match &model.domain {
            Some(_) => ("resource_class", format!(", variant {}", model.name)),
            None => ("nested_class", String::new()),
        };
        let _ = writeln!(out, "{mac}! {{");
        rust_doc(
            &mut out,
            "    ",
            &format!("{}\n\n{}", model.doc, class_note(model)),
        );
        let _ = writeln!(
            out,
            "    Py{name} as \"{name}\" wraps {name}{variant} {{",
            name = model.name
        );
        for field in &model.fields {
            rust_doc(&mut out, "        ", &field.doc);
            let _ = writeln!(
                out,
                "        {} as {},",
                field.rust,
                rust_ident(&schema::snake_case(&field.wire))
            );
        }
        out.push_str("    }\n}\n");
    }
    out.push_str(
        "\n/// The Python object of an event's typed resource (`UnknownResource` for other domains).\n\
         fn resource_object(py: Python<'_>, shared: &Arc<Shared>) -> PyResult<Py<PyAny>> {\n    \
         let shared = shared.clone();\n    Ok(match &shared.event.data {\n",
    );
    for model in models.models.iter().filter(|m| m.domain.is_some()) {
        let _ = writeln!(
            out,
            "        Resource::{name}(_) => Py::new(py, Py{name} {{ shared: shared.clone() }})?.into_any(),",
            name = model.name
        );
    }
    out.push_str(
        "        _ => Py::new(py, PyUnknownResource { shared: shared.clone() })?.into_any(),\n    })\n}\n",
    );
    out.push_str(
        "\n/// Registers the resources' classes with the native module.\n\
         pub(crate) fn add_resource_classes(m: &Bound<'_, PyModule>) -> PyResult<()> {\n",
    );
    for model in &models.models {
        let _ = writeln!(out, "    m.add_class::<Py{}>()?;", model.name);
    }
    out.push_str("    m.add_class::<PyUnknownResource>()?;\n    Ok(())\n}\n");
    out
}

fn main() {
    match std::env::args().nth(1).as_deref() {
        Some("errors") => print!("{}", errors()),
        Some("stub") => print!("{}", stub()),
        Some("rs") => print!("{}", rs()),
        _ => {
            eprintln!("usage: codegen_python errors|stub|rs");
            std::process::exit(2);
        }
    }
}
