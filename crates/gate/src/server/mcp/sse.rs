//! Decoding a `text/event-stream` body (the WHATWG Server-Sent Events
//! format) as it arrives, for the events an HTTP MCP server streams: lines
//! ending in LF, CR or CRLF; `data:` lines joined by newlines; an event
//! dispatched at a blank line; comments (`:`), `id:` and `retry:` read and
//! ignored. An event whose data would pass the cap is an error, so a
//! server cannot make the gate buffer without end.

/// One event's type and data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// `event:`; "message" when absent.
    pub event: String,
    pub data: String,
}

/// The stream broke its bounds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an event of the stream is over {0} bytes")]
pub struct TooLarge(pub usize);

/// An incremental decoder: [`SseDecoder::feed`] bytes, get whole events.
#[derive(Debug)]
pub struct SseDecoder {
    cap: usize,
    /// The unfinished line.
    line: Vec<u8>,
    /// A CR ended the last line: an LF right after it ends nothing.
    after_cr: bool,
    event: String,
    data: String,
    has_data: bool,
}

impl SseDecoder {
    pub fn new(cap: usize) -> SseDecoder {
        SseDecoder {
            cap,
            line: Vec::new(),
            after_cr: false,
            event: String::new(),
            data: String::new(),
            has_data: false,
        }
    }

    /// The events `chunk` completes.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<Vec<SseEvent>, TooLarge> {
        let mut events = Vec::new();
        for &b in chunk {
            match b {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' | b'\r' => {
                    self.after_cr = b == b'\r';
                    let line = std::mem::take(&mut self.line);
                    if let Some(e) = self.line_done(&line) {
                        events.push(e);
                    }
                }
                _ => {
                    self.after_cr = false;
                    self.line.push(b);
                    if self.line.len() + self.data.len() > self.cap {
                        return Err(TooLarge(self.cap));
                    }
                }
            }
        }
        Ok(events)
    }

    fn line_done(&mut self, line: &[u8]) -> Option<SseEvent> {
        if line.is_empty() {
            let event = std::mem::take(&mut self.event);
            let data = std::mem::take(&mut self.data);
            if !std::mem::take(&mut self.has_data) {
                return None;
            }
            let event = if event.is_empty() {
                "message".to_string()
            } else {
                event
            };
            return Some(SseEvent { event, data });
        }
        if line[0] == b':' {
            return None;
        }
        let text = String::from_utf8_lossy(line);
        let (field, value) = match text.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (text.as_ref(), ""),
        };
        match field {
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "event" => self.event = value.to_string(),
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut d = SseDecoder::new(1024);
        chunks.iter().flat_map(|c| d.feed(c).unwrap()).collect()
    }

    fn message(data: &str) -> SseEvent {
        SseEvent {
            event: "message".into(),
            data: data.into(),
        }
    }

    #[test]
    fn events_are_split_at_blank_lines_across_chunks_and_line_endings() {
        let got = decode(&[
            b": keep-alive\n\nevent: message\nid: 1\ndata: {\"a\"",
            b":1}\r\n\r\ndata:x\rdata: y\r\rretry: 5\n\n",
            b"data: {\"b\":2}\n",
        ]);
        assert_eq!(got, vec![message("{\"a\":1}"), message("x\ny")]);
        let got = decode(&[b"event: ping\ndata\n\n"]);
        assert_eq!(
            got,
            vec![SseEvent {
                event: "ping".into(),
                data: String::new()
            }]
        );
    }

    #[test]
    fn an_event_over_the_cap_is_an_error() {
        let mut d = SseDecoder::new(12);
        assert!(d.feed(b"data: 1234").is_ok());
        assert_eq!(d.feed(b"56789\n"), Err(TooLarge(12)));
    }
}
