//! Deterministic mutations of a text, for the tests that feed a reader
//! thousands of broken manifests (the fuzz targets explore further).

/// xorshift64: reproducible without a dependency.
pub struct Rng(pub u64);

impl Rng {
    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// How hard [`mutate`] edits.
pub struct Edits {
    /// Up to this many edits (at least one).
    pub rounds: usize,
    /// A cut removes up to this many bytes.
    pub max_cut: usize,
    /// Whether an edit may cut the rest of the text.
    pub truncate: bool,
}

/// `base` with a few edits at random places: a piece inserted, a cut, the
/// rest cut off (if `edits.truncate`), or a line repeated.
pub fn mutate(base: &str, rng: &mut Rng, pieces: &[&str], edits: &Edits) -> String {
    let mut text = base.to_string();
    let kinds = if edits.truncate { 4 } else { 3 };
    for _ in 0..=rng.below(edits.rounds) {
        let at = rng.below(text.len());
        let at = (0..=at)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        match rng.below(kinds) {
            0 => text.insert_str(at, pieces[rng.below(pieces.len())]),
            1 => {
                let end = (at + rng.below(edits.max_cut)).min(text.len());
                let end = (end..=text.len())
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(text.len());
                text.replace_range(at..end, "");
            }
            2 if edits.truncate => text.truncate(at),
            _ => {
                let line = text[at..].lines().next().unwrap_or("").to_string();
                text.insert_str(at, &format!("{line}\n"));
            }
        }
    }
    text
}
