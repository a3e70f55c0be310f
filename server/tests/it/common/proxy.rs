//! A TCP proxy in front of the real server that misbehaves on demand: it answers 500, answers
//! garbage, or forwards the request and cuts the connection half-way through the server's
//! answer (after the server has done the work). One request per connection. Given several
//! servers, it is a load balancer: each request goes to the next one that takes connections.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    Pass = 0,
    Fail500 = 1,
    Garbage = 2,
    CutMidResponse = 3,
}

pub struct Proxy {
    pub base: String,
    mode: Arc<AtomicU8>,
}

impl Proxy {
    pub fn start(upstream: &str) -> Proxy {
        Proxy::balancing(&[upstream])
    }

    /// In front of several servers, taking turns among those that take connections.
    pub fn balancing(upstreams: &[&str]) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let upstreams: Arc<Vec<String>> = Arc::new(
            upstreams
                .iter()
                .map(|upstream| upstream.trim_start_matches("http://").to_owned())
                .collect(),
        );
        let mode = Arc::new(AtomicU8::new(Mode::Pass as u8));
        let shared = mode.clone();
        let turn = Arc::new(AtomicUsize::new(0));
        std::thread::spawn(move || {
            for client in listener.incoming().map_while(Result::ok) {
                let mode = shared.load(Ordering::SeqCst);
                let (upstreams, turn) = (upstreams.clone(), turn.clone());
                std::thread::spawn(move || serve(client, &upstreams, &turn, mode));
            }
        });
        Proxy { base, mode }
    }

    pub fn set(&self, mode: Mode) {
        self.mode.store(mode as u8, Ordering::SeqCst);
    }
}

/// Reads one HTTP message (headers, then a Content-Length body).
fn read_message(stream: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut message = Vec::new();
    let mut length = 0;
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().ok()?;
        }
        // Each side closes after one exchange, so neither waits for the other.
        if line.to_ascii_lowercase().starts_with("connection:") {
            continue;
        }
        if line == "\r\n" {
            message.extend_from_slice(b"connection: close\r\n\r\n");
            break;
        }
        message.extend_from_slice(line.as_bytes());
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).ok()?;
    message.extend(body);
    Some(message)
}

/// The next server that takes a connection, as a balancer that checks its servers would.
fn connect(upstreams: &[String], turn: &AtomicUsize) -> Option<TcpStream> {
    (0..upstreams.len()).find_map(|_| {
        let next = turn.fetch_add(1, Ordering::SeqCst) % upstreams.len();
        TcpStream::connect(&upstreams[next]).ok()
    })
}

fn serve(client: TcpStream, upstreams: &[String], turn: &AtomicUsize, mode: u8) {
    let mut reader = BufReader::new(client.try_clone().unwrap());
    let Some(request) = read_message(&mut reader) else {
        return;
    };
    let mut client = client;
    let canned = |status: &str, body: &str| {
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
    };
    match mode {
        m if m == Mode::Fail500 as u8 => {
            let body = r#"{"code":"internal","message":"the server failed"}"#;
            let _ = client.write_all(canned("500 Internal Server Error", body).as_bytes());
        }
        m if m == Mode::Garbage as u8 => {
            let _ = client.write_all(canned("200 OK", "<html>Wartungsarbeiten</html>").as_bytes());
        }
        _ => {
            let Some(mut server) = connect(upstreams, turn) else {
                return;
            };
            if server.write_all(&request).is_err() {
                return;
            }
            let mut answer = BufReader::new(server);
            let Some(response) = read_message(&mut answer) else {
                return;
            };
            let end = if mode == Mode::CutMidResponse as u8 {
                response.len() / 2
            } else {
                response.len()
            };
            let _ = client.write_all(&response[..end]);
        }
    }
    let _ = client.shutdown(std::net::Shutdown::Both);
}
