//! The value of a macro-expanded `#if` expression, with C's rules:
//! arithmetic in `intmax_t` / `uintmax_t` (64 bits), the usual conversions
//! to unsigned, short-circuit `&&`, `||` and `?:` (so `1 || 1/0` is fine),
//! and identifiers left after expansion worth 0.

use super::expand::PTok;
use super::lex::TokKind;

/// A value of `intmax_t` (signed) or `uintmax_t` (unsigned).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Value {
    bits: u64,
    unsigned: bool,
    /// Computed from the tracked macro's value (`Py_LIMITED_API`).
    tracked: bool,
    /// ... through a bit mask (`&`, `|`, `^` with a constant).
    masked: bool,
}

/// How a constant meets a value computed from the tracked macro.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Use {
    /// `==`, `!=`: the outcome can change at the constant and after it.
    Equal,
    /// `V >= c`, `V < c` (or `c <= V`, `c > V`): it changes at `c`.
    From,
    /// `V > c`, `V <= c` (or `c < V`, `c >= V`): it changes after `c`.
    After,
    /// `&`, `|`, `^`: a bit test.
    Mask,
    /// Compared with the value's masked bits (`(V & 0xFFFF) >= c`).
    MaskedCompared,
}

/// A constant a tracked value meets in an `#if`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Constant {
    pub value: u64,
    pub usage: Use,
}

impl Value {
    fn signed(v: i64) -> Value {
        Value {
            bits: v as u64,
            unsigned: false,
            tracked: false,
            masked: false,
        }
    }
    fn truth(b: bool) -> Value {
        Value::signed(b as i64)
    }
    pub fn is_true(self) -> bool {
        self.bits != 0
    }

    /// The value's bits (as `intmax_t`/`uintmax_t` hold them).
    pub fn bits(self) -> u64 {
        self.bits
    }
}

/// Evaluates a fully expanded `#if` expression.
pub fn evaluate(tokens: &[PTok]) -> Result<Value, String> {
    evaluate_tracking(tokens, &mut Vec::new())
}

/// [`evaluate`], and the constants that values expanded from the tracked
/// macro (`Py_LIMITED_API`, [`PTok::is_tracked`]) are compared with or
/// masked by, into `constants`: the values at which the condition can
/// change.
///
/// The expression is parsed by operator precedence with explicit stacks
/// (as cpplib's `_cpp_parse_expr`), so its nesting (`((((1))))`, `- - 1`,
/// `1 ? 1 ? 1 : 0 : 0`) is bounded by memory alone, like gcc's.
pub fn evaluate_tracking(tokens: &[PTok], constants: &mut Vec<Constant>) -> Result<Value, String> {
    if tokens.is_empty() {
        return Err("#if with no expression".into());
    }
    let mut parser = Parser {
        tokens,
        pos: 0,
        values: Vec::new(),
        pending: Vec::new(),
        constants,
    };
    parser.parse()
}

fn describe(kind: &TokKind) -> String {
    match kind {
        TokKind::Number(s) | TokKind::Char(s) | TokKind::Str(s) | TokKind::Unknown(s) => {
            format!("\"{s}\"")
        }
        TokKind::Punct(p) => format!("\"{p}\""),
        TokKind::Other(c) => format!("\"{c}\""),
        TokKind::Ident(_) => "identifier".to_string(),
    }
}

/// The precedence of `*`, `/` and `%`, the tightest binary operators.
const MULTIPLICATIVE: usize = 9;

/// A binary operator of `#if` (C11 6.5.5–6.5.14).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum BinOp {
    Or,
    And,
    BitOr,
    BitXor,
    BitAnd,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Shl,
    Shr,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl BinOp {
    /// The operator a punctuator spells, if it is a binary one. (Matched
    /// by bytes: every operator of every condition of every view comes
    /// through here.)
    fn of(punct: &str) -> Option<BinOp> {
        Some(match punct.as_bytes() {
            b"||" => BinOp::Or,
            b"&&" => BinOp::And,
            b"|" => BinOp::BitOr,
            b"^" => BinOp::BitXor,
            b"&" => BinOp::BitAnd,
            b"==" => BinOp::Eq,
            b"!=" => BinOp::Ne,
            b"<" => BinOp::Lt,
            b">" => BinOp::Gt,
            b"<=" => BinOp::Le,
            b">=" => BinOp::Ge,
            b"<<" => BinOp::Shl,
            b">>" => BinOp::Shr,
            b"+" => BinOp::Add,
            b"-" => BinOp::Sub,
            b"*" => BinOp::Mul,
            b"/" => BinOp::Div,
            b"%" => BinOp::Rem,
            _ => return None,
        })
    }

    /// The precedence, loosest first: `||` is 0, `*` `/` `%` are
    /// [`MULTIPLICATIVE`].
    fn precedence(self) -> usize {
        match self {
            BinOp::Or => 0,
            BinOp::And => 1,
            BinOp::BitOr => 2,
            BinOp::BitXor => 3,
            BinOp::BitAnd => 4,
            BinOp::Eq | BinOp::Ne => 5,
            BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge => 6,
            BinOp::Shl | BinOp::Shr => 7,
            BinOp::Add | BinOp::Sub => 8,
            BinOp::Mul | BinOp::Div | BinOp::Rem => MULTIPLICATIVE,
        }
    }

    /// `a op b` is `b op' a`: the operator with its operands swapped.
    fn swapped(self) -> BinOp {
        match self {
            BinOp::Lt => BinOp::Gt,
            BinOp::Gt => BinOp::Lt,
            BinOp::Le => BinOp::Ge,
            BinOp::Ge => BinOp::Le,
            op => op,
        }
    }
}

/// An operator waiting for its right operand.
#[derive(Copy, Clone, Debug)]
enum Pending {
    /// `(`.
    Open,
    /// `+`, `-`, `!` or `~` before an operand.
    Unary(&'static str),
    /// `a op`.
    Binary(BinOp),
    /// `c ?`, waiting for the first branch.
    Question(bool),
    /// `c ? a :`, waiting for the second branch.
    Colon(bool, Value),
}

/// A [`Pending`] operator, whether it is evaluated (`live`: not in the
/// right operand of a decided `&&`/`||` or the branch `?:` does not take,
/// where division by zero is no error) and whether what follows it is.
#[derive(Copy, Clone, Debug)]
struct Entry {
    op: Pending,
    live: bool,
    after: bool,
}

struct Parser<'t> {
    tokens: &'t [PTok],
    pos: usize,
    /// Operands, and the values of the operators reduced.
    values: Vec<Value>,
    /// Operators whose right operand is being read.
    pending: Vec<Entry>,
    constants: &'t mut Vec<Constant>,
}

impl<'t> Parser<'t> {
    fn peek(&self) -> Option<&'t PTok> {
        self.tokens.get(self.pos)
    }

    /// Whether what is read now is evaluated.
    fn live(&self) -> bool {
        self.pending.last().is_none_or(|entry| entry.after)
    }

    fn push(&mut self, op: Pending, after: bool) {
        let live = self.live();
        self.pending.push(Entry {
            op,
            live,
            after: live && after,
        });
    }

    fn pop_value(&mut self) -> Value {
        self.values.pop().expect("an operand for each operator")
    }

    fn parse(&mut self) -> Result<Value, String> {
        loop {
            self.operand()?;
            if let Some(value) = self.operators()? {
                return Ok(value);
            }
        }
    }

    /// Reads prefix operators and `(` up to an operand, and the operand.
    fn operand(&mut self) -> Result<(), String> {
        loop {
            let Some(token) = self.peek() else {
                return Err("#if expression ends where a value is expected".into());
            };
            self.pos += 1;
            match token.kind {
                TokKind::Punct(op @ ("+" | "-" | "!" | "~")) => self.push(Pending::Unary(op), true),
                TokKind::Punct("(") => self.push(Pending::Open, true),
                _ => {
                    let value = primary(token)?;
                    self.values.push(value);
                    return Ok(());
                }
            }
        }
    }

    /// After an operand: reads `)`s, then the operator before the next
    /// operand (`Ok(None)`), or the end (`Ok(Some(value))`).
    fn operators(&mut self) -> Result<Option<Value>, String> {
        loop {
            let token = self.peek();
            let punct = match token.map(|t| &t.kind) {
                None => {
                    self.reduce_while(|_| true)?;
                    return match self.pending.last().map(|entry| entry.op) {
                        None => Ok(Some(self.pop_value())),
                        Some(Pending::Open) => Err("expected ')' at end of #if expression".into()),
                        Some(_) => Err("expected ':' at end of #if expression".into()),
                    };
                }
                Some(TokKind::Punct(punct)) => *punct,
                Some(other) => {
                    return Err(format!(
                        "missing binary operator before token {}",
                        describe(other)
                    ))
                }
            };
            self.pos += 1;
            match punct {
                ")" => {
                    self.reduce_while(|_| true)?;
                    match self.pending.pop().map(|entry| entry.op) {
                        Some(Pending::Open) => continue,
                        Some(_) => return Err("expected ':' before \")\"".into()),
                        None => return Err("missing binary operator before token \")\"".into()),
                    }
                }
                "?" => {
                    self.reduce_while(|op| !matches!(op, Pending::Colon(..)))?;
                    let condition = self.pop_value().is_true();
                    self.push(Pending::Question(condition), condition);
                }
                ":" => {
                    self.reduce_while(|_| true)?;
                    match self.pending.pop() {
                        Some(Entry {
                            op: Pending::Question(condition),
                            live,
                            ..
                        }) => {
                            let first = self.pop_value();
                            self.pending.push(Entry {
                                op: Pending::Colon(condition, first),
                                live,
                                after: live && !condition,
                            });
                        }
                        Some(Entry {
                            op: Pending::Open, ..
                        }) => return Err("expected ')' before \":\"".into()),
                        _ => return Err("missing binary operator before token \":\"".into()),
                    }
                }
                _ => {
                    let Some(op) = BinOp::of(punct) else {
                        return Err(format!("missing binary operator before token \"{punct}\""));
                    };
                    let level = op.precedence();
                    // Left to right: what binds at least as tightly is done.
                    self.reduce_while(|pending| match pending {
                        Pending::Binary(other) => other.precedence() >= level,
                        _ => false,
                    })?;
                    let left = self.values.last().copied().expect("the left operand");
                    let after = match op {
                        BinOp::Or => !left.is_true(),
                        BinOp::And => left.is_true(),
                        _ => true,
                    };
                    self.push(Pending::Binary(op), after);
                }
            }
            return Ok(None);
        }
    }

    /// Applies the pending operators from the top while `more` says so
    /// (unary operators always: they bind tightest); stops at `(`, at an
    /// unanswered `?`, and at the bottom.
    fn reduce_while(&mut self, more: impl Fn(Pending) -> bool) -> Result<(), String> {
        while let Some(&entry) = self.pending.last() {
            let value = match entry.op {
                Pending::Open | Pending::Question(_) => return Ok(()),
                Pending::Unary(op) => unary(op, self.pop_value()),
                op if !more(op) => return Ok(()),
                Pending::Binary(op) => {
                    let right = self.pop_value();
                    let left = self.pop_value();
                    if op.precedence() != MULTIPLICATIVE {
                        self.track(op, left, right);
                    }
                    apply(op, left, right, entry.live)?
                }
                Pending::Colon(condition, first) => {
                    let second = self.pop_value();
                    let unsigned = first.unsigned || second.unsigned;
                    let mut chosen = if condition { first } else { second };
                    chosen.unsigned = unsigned;
                    chosen
                }
            };
            self.pending.pop();
            self.values.push(value);
        }
        Ok(())
    }

    /// Records the constant a tracked value meets in `a op b`.
    fn track(&mut self, op: BinOp, a: Value, b: Value) {
        if a.tracked == b.tracked {
            return;
        }
        let constant = if a.tracked { b.bits } else { a.bits };
        let masked = a.masked || b.masked;
        // With the tracked value on the right, `c < V` is `V > c`.
        let op = if a.tracked { op } else { op.swapped() };
        let usage = match op {
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Gt | BinOp::Le | BinOp::Ge if masked => {
                Use::MaskedCompared
            }
            BinOp::Eq | BinOp::Ne => Use::Equal,
            BinOp::Ge | BinOp::Lt => Use::From,
            BinOp::Gt | BinOp::Le => Use::After,
            BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor => Use::Mask,
            _ => return,
        };
        self.constants.push(Constant {
            value: constant,
            usage,
        });
    }
}

/// An operand: a number, a character constant, or an identifier left after
/// expansion (worth 0).
fn primary(token: &PTok) -> Result<Value, String> {
    match &token.kind {
        TokKind::Number(text) => {
            let mut value = parse_number(text)?;
            value.tracked = token.is_tracked();
            Ok(value)
        }
        TokKind::Char(text) => parse_char(text),
        // Identifiers left after expansion (including keywords) are 0.
        TokKind::Ident(_) | TokKind::Unknown(_) => Ok(Value::signed(0)),
        other => Err(format!(
            "token {} is not valid in preprocessor expressions",
            describe(other)
        )),
    }
}

/// `op v` for a prefix operator.
fn unary(op: &str, v: Value) -> Value {
    match op {
        "+" => v,
        "-" => Value {
            bits: v.bits.wrapping_neg(),
            ..v
        },
        "!" => Value::truth(!v.is_true()),
        _ => Value { bits: !v.bits, ..v },
    }
}

fn apply(op: BinOp, a: Value, b: Value, live: bool) -> Result<Value, String> {
    let unsigned = a.unsigned || b.unsigned;
    let tracked = a.tracked || b.tracked;
    let masked = a.masked
        || b.masked
        || (tracked
            && a.tracked != b.tracked
            && matches!(op, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor));
    let (x, y) = (a.bits, b.bits);
    let (sx, sy) = (x as i64, y as i64);
    let arithmetic = |bits: u64| Value {
        bits,
        unsigned,
        tracked,
        masked,
    };
    let ordering = || if unsigned { x.cmp(&y) } else { sx.cmp(&sy) };
    Ok(match op {
        BinOp::Or => Value::truth(a.is_true() || b.is_true()),
        BinOp::And => Value::truth(a.is_true() && b.is_true()),
        BinOp::BitOr => arithmetic(x | y),
        BinOp::BitXor => arithmetic(x ^ y),
        BinOp::BitAnd => arithmetic(x & y),
        BinOp::Eq => Value::truth(x == y),
        BinOp::Ne => Value::truth(x != y),
        BinOp::Lt => Value::truth(ordering().is_lt()),
        BinOp::Gt => Value::truth(ordering().is_gt()),
        BinOp::Le => Value::truth(ordering().is_le()),
        BinOp::Ge => Value::truth(ordering().is_ge()),
        // Shifts take the left operand's type.
        BinOp::Shl | BinOp::Shr => {
            let left_unsigned = a.unsigned;
            let amount = if b.unsigned || sy >= 0 { y.min(64) } else { 64 };
            let bits = match (op, left_unsigned) {
                (BinOp::Shl, _) => x.checked_shl(amount as u32).unwrap_or(0),
                (_, true) => x.checked_shr(amount as u32).unwrap_or(0),
                _ => sx
                    .checked_shr(amount as u32)
                    .unwrap_or(if sx < 0 { -1 } else { 0 }) as u64,
            };
            Value {
                bits,
                unsigned: left_unsigned,
                tracked,
                masked,
            }
        }
        BinOp::Add => arithmetic(x.wrapping_add(y)),
        BinOp::Sub => arithmetic(x.wrapping_sub(y)),
        BinOp::Mul => arithmetic(x.wrapping_mul(y)),
        BinOp::Div | BinOp::Rem => {
            if y == 0 {
                if live {
                    return Err("division by zero in #if".into());
                }
                return Ok(arithmetic(0));
            }
            let bits = match (op, unsigned) {
                (BinOp::Div, true) => x / y,
                (BinOp::Div, false) => sx.wrapping_div(sy) as u64,
                (_, true) => x % y,
                _ => sx.wrapping_rem(sy) as u64,
            };
            arithmetic(bits)
        }
    })
}

/// An integer literal: decimal, `0x` hex, `0b` binary, octal, with
/// `u`/`l`/`ll` suffixes in any case and order.
pub fn parse_number(text: &str) -> Result<Value, String> {
    let invalid = || format!("invalid integer constant \"{text}\" in #if");
    let digits_end = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| matches!(c, 'u' | 'U' | 'l' | 'L'))
        .last()
        .map_or(text.len(), |(i, _)| i);
    let (digits, suffix) = text.split_at(digits_end);
    if suffix.len() > 3 {
        return Err(invalid());
    }
    let suffix_unsigned = suffix.contains(['u', 'U']);
    let prefixed = |prefix: u8| {
        let bytes = digits.as_bytes();
        (bytes.len() >= 2 && bytes[0] == b'0' && bytes[1].eq_ignore_ascii_case(&prefix))
            .then(|| &digits[2..])
    };
    let (body, radix) = if let Some(hex) = prefixed(b'x') {
        (hex, 16)
    } else if let Some(bin) = prefixed(b'b') {
        (bin, 2)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (&digits[1..], 8)
    } else {
        (digits, 10)
    };
    if body.is_empty() {
        return Err(invalid());
    }
    let bits = u64::from_str_radix(body, radix).map_err(|_| {
        if body.contains(['.', 'e', 'E', 'p', 'P']) && radix != 16 || body.contains('.') {
            format!("floating constant \"{text}\" in #if")
        } else {
            invalid()
        }
    })?;
    // A constant too big for intmax_t has type uintmax_t.
    Ok(Value {
        bits,
        unsigned: suffix_unsigned || bits > i64::MAX as u64,
        tracked: false,
        masked: false,
    })
}

/// A character constant: `'a'`, `'\n'`, `'\x41'`, `'\0'`, with an optional
/// `L`/`u`/`U` prefix. Plain `char` is signed, as on x86-64.
fn parse_char(text: &str) -> Result<Value, String> {
    let invalid = || format!("invalid character constant {text} in #if");
    let wide = !text.starts_with('\'');
    let inner = text
        .trim_start_matches(['L', 'u', 'U', '8'])
        .strip_prefix('\'')
        .and_then(|s| s.strip_suffix('\''))
        .ok_or_else(invalid)?;
    let value: i64 = if let Some(escape) = inner.strip_prefix('\\') {
        match escape.chars().next().ok_or_else(invalid)? {
            'n' => 10,
            't' => 9,
            'r' => 13,
            'a' => 7,
            'b' => 8,
            'f' => 12,
            'v' => 11,
            'x' => i64::from_str_radix(&escape[1..], 16).map_err(|_| invalid())?,
            '0'..='7' => i64::from_str_radix(escape, 8).map_err(|_| invalid())?,
            other => other as i64,
        }
    } else {
        inner.chars().next().ok_or_else(invalid)? as i64
    };
    Ok(Value::signed(if wide {
        value
    } else {
        value as u8 as i8 as i64
    }))
}

#[cfg(test)]
mod tests;
