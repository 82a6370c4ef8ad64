//! A file's bytes with positions: byte offsets to 1-based lines and character columns.

use std::cell::Cell;
use std::ops::Range;

pub struct SourceText<'a> {
    pub bytes: &'a [u8],
    line_starts: Vec<usize>,
    /// The last position computed: (line start, offset, characters from line start to offset).
    /// Positions asked in order along one long line (a minified file) then cost only the gap.
    last_column: Cell<(usize, usize, usize)>,
}

/// A 1-based line and column; columns count Unicode characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl<'a> SourceText<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        let line_starts = std::iter::once(0)
            .chain(
                bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, &b)| b == b'\n')
                    .map(|(i, _)| i + 1),
            )
            .collect();
        SourceText {
            bytes,
            line_starts,
            last_column: Cell::new((0, 0, 0)),
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 0-based index of the line that holds `offset`.
    pub fn line_index(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    /// The byte range of line `index` (0-based), without its `\n` or `\r\n`.
    pub fn line_range(&self, index: usize) -> Range<usize> {
        let start = self.line_starts[index];
        let mut end = self
            .line_starts
            .get(index + 1)
            .map_or(self.bytes.len(), |next| next - 1);
        if end > start && self.bytes[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    pub fn position(&self, offset: usize) -> Position {
        let index = self.line_index(offset);
        let start = self.line_starts[index];
        let (cached_start, cached_offset, cached_chars) = self.last_column.get();
        let chars = if cached_start == start && cached_offset <= offset {
            cached_chars + char_count(&self.bytes[cached_offset..offset])
        } else {
            char_count(&self.bytes[start..offset])
        };
        self.last_column.set((start, offset, chars));
        Position {
            line: index + 1,
            column: chars + 1,
        }
    }
}

/// Characters in `bytes`, counting each invalid UTF-8 sequence as one.
pub fn char_count(bytes: &[u8]) -> usize {
    match std::str::from_utf8(bytes) {
        // Count the bytes that start a character: no decoding needed.
        Ok(_) => bytes.iter().filter(|&&b| (b as i8) >= -0x40).count(),
        Err(_) => String::from_utf8_lossy(bytes).chars().count(),
    }
}

/// A text encoding keylint decodes to UTF-8 before scanning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf16Le,
    Utf16Be,
    Utf32Le,
    Utf32Be,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Utf32Le => "UTF-32LE",
            Encoding::Utf32Be => "UTF-32BE",
        }
    }

    /// The encoding `bytes` are in, from a byte-order mark or, for BOM-less UTF-16, from the
    /// NUL bytes every ASCII character carries; with the length of the mark.
    pub fn sniff(bytes: &[u8]) -> Option<(Encoding, usize)> {
        // UTF-32LE's mark starts with UTF-16LE's: test it first.
        if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) {
            return Some((Encoding::Utf32Le, 4));
        }
        if bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
            return Some((Encoding::Utf32Be, 4));
        }
        if bytes.starts_with(&[0xFF, 0xFE]) {
            return Some((Encoding::Utf16Le, 2));
        }
        if bytes.starts_with(&[0xFE, 0xFF]) {
            return Some((Encoding::Utf16Be, 2));
        }
        bomless_utf16(bytes).map(|encoding| (encoding, 0))
    }
}

/// Bytes looked at to recognise UTF-16 without a byte-order mark.
const UTF16_SNIFF_LEN: usize = 1024;

/// UTF-16 text without a mark: in the first KiB, nine pairs in ten are an ASCII character
/// (not NUL) next to a NUL byte, on the same side every time.
fn bomless_utf16(bytes: &[u8]) -> Option<Encoding> {
    let head = &bytes[..bytes.len().min(UTF16_SNIFF_LEN)];
    let pairs = head.len() / 2;
    // Most files: no NUL at all, nothing to count.
    if pairs < 2 || !head.contains(&0) {
        return None;
    }
    let ascii = |byte: u8| (1..0x80).contains(&byte);
    let (mut little, mut big) = (0, 0);
    for pair in head.chunks_exact(2) {
        little += usize::from(ascii(pair[0]) && pair[1] == 0);
        big += usize::from(pair[0] == 0 && ascii(pair[1]));
    }
    let enough = |count: usize| count * 10 >= pairs * 9;
    if enough(little) {
        Some(Encoding::Utf16Le)
    } else if enough(big) {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

/// `bytes` (after any byte-order mark) decoded to UTF-8; what cannot be decoded (a lone
/// surrogate, a code point out of range, a cut-off last unit) becomes U+FFFD.
pub fn decode(encoding: Encoding, bytes: &[u8]) -> String {
    match encoding {
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let units = bytes.chunks_exact(2).map(|unit| {
                let unit = [unit[0], unit[1]];
                if encoding == Encoding::Utf16Le {
                    u16::from_le_bytes(unit)
                } else {
                    u16::from_be_bytes(unit)
                }
            });
            let mut text: String = char::decode_utf16(units)
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
                .collect();
            if bytes.len() % 2 == 1 {
                text.push(char::REPLACEMENT_CHARACTER);
            }
            text
        }
        Encoding::Utf32Le | Encoding::Utf32Be => bytes
            .chunks(4)
            .map(|unit| {
                let Ok(unit) = <[u8; 4]>::try_from(unit) else {
                    return char::REPLACEMENT_CHARACTER;
                };
                let value = if encoding == Encoding::Utf32Le {
                    u32::from_le_bytes(unit)
                } else {
                    u32::from_be_bytes(unit)
                };
                char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER)
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = SourceText::new("ab\r\nçd = 1\nlast".as_bytes());
        assert_eq!(text.position(0), Position { line: 1, column: 1 });
        let d = "ab\r\nç".len();
        assert_eq!(text.position(d), Position { line: 2, column: 2 });
        assert_eq!(text.line_range(0), 0..2);
        assert_eq!(text.line_range(2), 12..16);
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    }

    #[test]
    fn marks_and_nul_patterns_name_the_encoding() {
        assert_eq!(
            Encoding::sniff(b"\xFF\xFEa\0"),
            Some((Encoding::Utf16Le, 2))
        );
        assert_eq!(
            Encoding::sniff(b"\xFE\xFF\0a"),
            Some((Encoding::Utf16Be, 2))
        );
        assert_eq!(
            Encoding::sniff(b"\xFF\xFE\0\0a\0\0\0"),
            Some((Encoding::Utf32Le, 4))
        );
        assert_eq!(
            Encoding::sniff(b"\0\0\xFE\xFF\0\0\0a"),
            Some((Encoding::Utf32Be, 4))
        );
        let text = "KEY=value\r\n";
        assert_eq!(
            Encoding::sniff(&utf16(text, false)),
            Some((Encoding::Utf16Le, 0))
        );
        assert_eq!(
            Encoding::sniff(&utf16(text, true)),
            Some((Encoding::Utf16Be, 0))
        );
        // Binary with a few NULs, and plain ASCII, are neither.
        assert_eq!(
            Encoding::sniff(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0"),
            None
        );
        assert_eq!(Encoding::sniff(b"OPENAI_API_KEY=x\n"), None);
    }

    #[test]
    fn decoding_replaces_what_cannot_be_decoded() {
        let text = "a = 'é𝄞'\n";
        assert_eq!(decode(Encoding::Utf16Le, &utf16(text, false)), text);
        assert_eq!(decode(Encoding::Utf16Be, &utf16(text, true)), text);
        let utf32: Vec<u8> = text
            .chars()
            .flat_map(|c| (c as u32).to_be_bytes())
            .collect();
        assert_eq!(decode(Encoding::Utf32Be, &utf32), text);
        // A lone surrogate, and a cut-off last unit.
        assert_eq!(
            decode(Encoding::Utf16Le, b"a\0\x00\xD8b\0c"),
            "a\u{fffd}b\u{fffd}"
        );
        assert_eq!(
            decode(Encoding::Utf32Le, b"a\0\0\0\0\0\x11\0b"),
            "a\u{fffd}\u{fffd}"
        );
    }
}
