//! Every case of `tests/vectors/receiver.json` through a real `listen` process over HTTP on
//! 127.0.0.1: the status, the exact body bytes and whether the handler ran must be what the
//! core states, as for every SDK's adapters.
//!
//! The listener is driven as a user would: `--fail-first` makes the handler fail (the cases'
//! failing steps come first), `--store-fails-at` simulates the store outage, `--store none`
//! runs without a deduplicator. "Another worker holds the event" is a real second worker: this
//! test, holding a ticket of a `Receiver` over the same SQLite file as the listener.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver as Lines};
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use palisade_webhooks::receiver::{Begin, Receiver};
use palisade_webhooks::{Deduplicator, SqliteStore, Webhook, WebhookOptions};
use serde_json::Value;

struct Listener {
    child: Child,
    addr: String,
    lines: Lines<String>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

impl Listener {
    fn start(args: &[String]) -> Listener {
        let mut child = Command::new(env!("CARGO_BIN_EXE_palisade-webhooks"))
            .arg("listen")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the listener");
        let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = out
            .next()
            .expect("listener output")
            .expect("listener output");
        let addr = first
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
            .to_string();
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in out.map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Listener { child, addr, lines }
    }

    /// The lines printed for one request, up to its `ANSWERED` line.
    fn request_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        loop {
            let line = self
                .lines
                .recv_timeout(Duration::from_secs(20))
                .expect("the listener printed no ANSWERED line");
            let done = line.starts_with("ANSWERED");
            lines.push(line);
            if done {
                return lines;
            }
        }
    }
}

/// An HTTP/1.1 request written byte by byte: the headers in the order given (repeated names
/// repeated), then the body with a `Content-Length` or, when `send_length` is false, chunked.
fn raw_request(
    method: &str,
    headers: &[(String, String)],
    body: &[u8],
    send_length: bool,
) -> Vec<u8> {
    let mut raw =
        format!("{method} /webhooks/palisade HTTP/1.1\r\nHost: 127.0.0.1\r\n").into_bytes();
    for (name, value) in headers {
        raw.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    raw.extend_from_slice(b"Connection: close\r\n");
    if send_length {
        raw.extend_from_slice(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        raw.extend_from_slice(body);
    } else {
        raw.extend_from_slice(b"Transfer-Encoding: chunked\r\n\r\n");
        for chunk in body.chunks(1000) {
            raw.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            raw.extend_from_slice(chunk);
            raw.extend_from_slice(b"\r\n");
        }
        raw.extend_from_slice(b"0\r\n\r\n");
    }
    raw
}

struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn send(addr: &str, request: &[u8]) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect to the listener");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(request).expect("send the request");
    stream.shutdown(Shutdown::Write).ok();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read the answer");
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut parsed = httparse::Response::new(&mut headers);
    let httparse::Status::Complete(at) = parsed.parse(&raw).expect("an HTTP response") else {
        panic!("a truncated response: {}", String::from_utf8_lossy(&raw));
    };
    let headers: Vec<(String, String)> = parsed
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    let body = raw[at..].to_vec();
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse::<usize>().unwrap());
    assert_eq!(length, Some(body.len()), "the body's Content-Length");
    Response {
        status: parsed.code.unwrap(),
        headers,
        body,
    }
}

fn header<'a>(response: &'a Response, name: &str) -> Option<&'a str> {
    response
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn work_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("palisade-cli-receiver-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

#[test]
fn listen_answers_every_receiver_case_as_the_core_states() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/receiver.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let keys: Vec<String> = serde_json::from_value(doc["keys"].clone()).unwrap();
    let max = doc["max_body_bytes"].as_u64().unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() >= 15, "the receiver vectors lost cases");
    let dir = work_dir();
    let mut steps_run = 0;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let steps = case["steps"].as_array().unwrap();
        let holds = steps.iter().any(|s| s["hold"] == true);
        let sqlite = dir.join(format!("{name}.sqlite3"));
        let store = match (case["deduplicator"].as_bool().unwrap(), holds) {
            (false, _) => "none".to_string(),
            (true, false) => "memory".to_string(),
            (true, true) => format!("sqlite:{}", s(&sqlite)),
        };
        // `--fail-first N` fails the first N handler runs: the failing steps must come first.
        let failing = steps.iter().filter(|s| s["handler"] == "fail").count();
        assert!(
            steps
                .iter()
                .skip_while(|s| s["handler"] == "fail")
                .all(|s| s["handler"] != "fail"),
            "{name}: a failing step after a succeeding one cannot be scripted with --fail-first"
        );
        let mut args: Vec<String> = ["--port", "0", "--quiet", "--store", &store]
            .iter()
            .map(|a| a.to_string())
            .collect();
        args.extend(["--max-body-bytes".to_string(), max.to_string()]);
        args.extend(["--fail-first".to_string(), failing.to_string()]);
        for key in &keys {
            args.extend(["--key".to_string(), key.clone()]);
        }
        match case["store_fails_at"].as_str().unwrap() {
            "nothing" => {}
            step => args.extend(["--store-fails-at".to_string(), step.to_string()]),
        }
        let listener = Listener::start(&args);
        // Another worker over the same SQLite file, for the cases where one holds the event.
        let worker = holds.then(|| {
            let webhook = Webhook::from_keys(
                &keys,
                WebhookOptions::default().max_body_bytes(max as usize),
            )
            .unwrap();
            let store = SqliteStore::open(&sqlite).unwrap();
            Receiver::new(webhook, Some(Deduplicator::new(Arc::new(store))))
        });

        for (i, step) in steps.iter().enumerate() {
            let request = &step["request"];
            let body = STANDARD
                .decode(request["body_b64"].as_str().unwrap())
                .unwrap();
            let headers: Vec<(String, String)> =
                serde_json::from_value(request["headers"].clone()).unwrap();
            let send_length = request["send_length"].as_bool().unwrap();
            let held = if step["hold"] == true {
                let declared = send_length.then_some(body.len() as u64);
                match worker
                    .as_ref()
                    .unwrap()
                    .begin("POST", declared, &body, &headers)
                {
                    Begin::Process(p) => Some(p),
                    Begin::Answer(a) => panic!("{name}#{i}: the holding worker was answered {a:?}"),
                }
            } else {
                None
            };
            let method = request["method"].as_str().unwrap();
            let response = send(
                &listener.addr,
                &raw_request(method, &headers, &body, send_length),
            );
            if let Some(mut p) = held {
                p.ticket.finish_ok().unwrap();
            }
            let lines = listener.request_lines();
            let ran = lines.iter().any(|l| l.starts_with("VERIFIED"));

            let expect = &step["expect"];
            assert_eq!(
                (
                    u64::from(response.status),
                    String::from_utf8_lossy(&response.body).into_owned()
                ),
                (
                    expect["status"].as_u64().unwrap(),
                    expect["body"].as_str().unwrap().to_string()
                ),
                "{name}#{i}: {lines:?}"
            );
            assert_eq!(
                ran,
                expect["handler_runs"].as_bool().unwrap(),
                "{name}#{i}: handler runs ({lines:?})"
            );
            assert_eq!(
                header(&response, "Content-Type"),
                Some("application/json"),
                "{name}#{i}"
            );
            if response.status == 405 {
                assert_eq!(header(&response, "Allow"), Some("POST"), "{name}#{i}");
            }
            steps_run += 1;
        }
    }
    std::fs::remove_dir_all(dir).ok();
    assert!(steps_run >= 20, "only {steps_run} steps");
}
