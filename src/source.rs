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
}
