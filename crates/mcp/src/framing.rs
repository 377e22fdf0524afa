//! The stdio transport's framing: one JSON-RPC message per line, UTF-8,
//! no embedded newlines (MCP's stdio transport). Reading is bounded: a
//! line longer than the cap is skipped to its end unread and reported as
//! [`Frame::Oversized`], so a peer cannot make the relay buffer without end.

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt};

/// One frame read.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A line, without its newline (and without a `\r` before it).
    Line(Vec<u8>),
    /// A line over the cap; `bytes` is how long it was.
    Oversized { bytes: usize },
    /// The stream ended.
    Eof,
}

/// Reads newline-delimited frames of at most `cap` bytes.
pub struct FrameReader<R> {
    inner: R,
    cap: usize,
}

impl<R: AsyncBufRead + Unpin> FrameReader<R> {
    pub fn new(inner: R, cap: usize) -> Self {
        FrameReader { inner, cap }
    }

    /// The next non-empty frame. A last line without a newline still counts.
    pub async fn next(&mut self) -> std::io::Result<Frame> {
        loop {
            let frame = self.next_raw().await?;
            match &frame {
                Frame::Line(l) if l.iter().all(u8::is_ascii_whitespace) => continue,
                _ => return Ok(frame),
            }
        }
    }

    async fn next_raw(&mut self) -> std::io::Result<Frame> {
        let mut line = Vec::new();
        let mut total = 0usize;
        let mut over = false;
        loop {
            let buf = self.inner.fill_buf().await?;
            if buf.is_empty() {
                return Ok(match (total, over) {
                    (0, _) => Frame::Eof,
                    (_, true) => Frame::Oversized { bytes: total },
                    (_, false) => Frame::Line(trim_cr(line)),
                });
            }
            let (chunk, done) = match memchr(buf) {
                Some(i) => (&buf[..i], Some(i + 1)),
                None => (buf, None),
            };
            total += chunk.len();
            if !over && total > self.cap {
                over = true;
                line = Vec::new();
            }
            if !over {
                line.extend_from_slice(chunk);
            }
            let consumed = done.unwrap_or(chunk.len());
            self.inner.consume(consumed);
            if done.is_some() {
                return Ok(if over {
                    Frame::Oversized { bytes: total }
                } else {
                    Frame::Line(trim_cr(line))
                });
            }
        }
    }
}

fn memchr(buf: &[u8]) -> Option<usize> {
    buf.iter().position(|b| *b == b'\n')
}

fn trim_cr(mut line: Vec<u8>) -> Vec<u8> {
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    line
}

/// Writes one frame (the message and a newline) and flushes it.
pub async fn write_frame<W: AsyncWrite + Unpin>(
    out: &mut W,
    message: &[u8],
) -> std::io::Result<()> {
    out.write_all(message).await?;
    out.write_all(b"\n").await?;
    out.flush().await
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: &[u8], cap: usize) -> Vec<Frame> {
        // A tiny buffer, so lines span many reads.
        let reader = tokio::io::BufReader::with_capacity(4, input);
        let mut r = FrameReader::new(reader, cap);
        let mut out = Vec::new();
        loop {
            let f = r.next().await.unwrap();
            let end = f == Frame::Eof;
            out.push(f);
            if end {
                return out;
            }
        }
    }

    #[tokio::test]
    async fn lines_are_split_trimmed_and_blank_ones_skipped() {
        let got = frames(b"{\"a\":1}\r\n\n  \n{\"b\":2}", 100).await;
        assert_eq!(
            got,
            vec![
                Frame::Line(b"{\"a\":1}".to_vec()),
                Frame::Line(b"{\"b\":2}".to_vec()),
                Frame::Eof
            ]
        );
    }

    #[tokio::test]
    async fn oversized_lines_are_skipped_whole_and_reading_goes_on() {
        let mut input = vec![b'x'; 50];
        input.extend_from_slice(b"\nok\n");
        input.extend_from_slice(&[b'y'; 11]);
        let got = frames(&input, 10).await;
        assert_eq!(
            got,
            vec![
                Frame::Oversized { bytes: 50 },
                Frame::Line(b"ok".to_vec()),
                Frame::Oversized { bytes: 11 },
                Frame::Eof
            ]
        );
    }
}
