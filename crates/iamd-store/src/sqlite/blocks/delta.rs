//! The records of a block written as differences: each head from the one before it, each
//! body from the last body of the same event name and username in its run (or whole). A
//! read's record differs from the previous one of its kind in its ids and time only: the
//! difference is a tenth of the record, found with a few word comparisons, where LZ4 went
//! through every byte (see `format` for when LZ4 is still used).
//!
//! Numbers are LEB128 varints; a text is its varint length and bytes.

use std::ops::Range;

use super::format::take;
use crate::AuditRecord;

/// How many (event name, username) kinds a run remembers the last body of.
const KINDS: usize = 8;

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn take_varint(bytes: &mut &[u8]) -> Option<u64> {
    let mut n = 0u64;
    for shift in (0..64).step_by(7) {
        let (&byte, rest) = bytes.split_first()?;
        *bytes = rest;
        n |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte < 0x80 {
            return Some(n);
        }
    }
    None
}

fn take_len(bytes: &mut &[u8]) -> Option<usize> {
    usize::try_from(take_varint(bytes)?).ok()
}

/// A signed difference as an unsigned varint (zigzag: small either way).
fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}

/// The heads of `records`: of each, its position and time as differences from the previous
/// record's, then its event id, name, source and username as the length they share with the
/// previous record's and the rest.
pub(super) fn put_heads(out: &mut Vec<u8>, records: &[(i64, &AuditRecord)]) {
    let (mut position, mut time) = (0i64, 0i64);
    let mut previous: [&str; 4] = [""; 4];
    for (at, record) in records {
        put_varint(out, zigzag(at.wrapping_sub(position)));
        put_varint(out, zigzag(record.event_time.wrapping_sub(time)));
        (position, time) = (*at, record.event_time);
        let texts = texts(record);
        for (text, before) in texts.iter().zip(previous) {
            let shared = common_prefix(before.as_bytes(), text.as_bytes());
            let rest = text.as_bytes().get(shared..).unwrap_or_default();
            put_varint(out, shared as u64);
            put_varint(out, rest.len() as u64);
            out.extend_from_slice(rest);
        }
        previous = texts;
    }
}

/// A record's texts in the order of its head.
fn texts(record: &AuditRecord) -> [&str; 4] {
    [
        &record.event_id,
        &record.event_name,
        &record.event_source,
        &record.username,
    ]
}

/// The heads of [`put_heads`] as `format` lays them out (`put_head`: numbers of 8 bytes,
/// texts with 4-byte lengths); `None` for bytes that are not heads.
pub(super) fn undo_heads(mut stream: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(stream.len() * 3);
    let (mut position, mut time) = (0i64, 0i64);
    let mut previous: [Vec<u8>; 4] = Default::default();
    while !stream.is_empty() {
        position = position.wrapping_add(unzigzag(take_varint(&mut stream)?));
        time = time.wrapping_add(unzigzag(take_varint(&mut stream)?));
        out.extend_from_slice(&position.to_le_bytes());
        out.extend_from_slice(&time.to_le_bytes());
        for text in &mut previous {
            let shared = take_len(&mut stream)?;
            let rest_len = take_len(&mut stream)?;
            let rest = take(&mut stream, rest_len)?;
            if shared > text.len() {
                return None;
            }
            text.truncate(shared);
            text.extend_from_slice(rest);
            out.extend_from_slice(&u32::try_from(text.len()).ok()?.to_le_bytes());
            out.extend_from_slice(text);
        }
    }
    Some(out)
}

/// The bodies of a run: of each, how many bodies back the one it is written against is (0:
/// none), the lengths of the bytes both begin and end with, and the bytes between.
pub(super) fn put_bodies(out: &mut Vec<u8>, run: &[(i64, &AuditRecord)]) {
    // The last body of each kind: its index in the run.
    let mut last: Vec<usize> = Vec::with_capacity(KINDS);
    let mut oldest = 0;
    for (index, (_, record)) in run.iter().enumerate() {
        let same_kind = |other: usize| {
            run.get(other).is_some_and(|(_, o)| {
                o.event_name == record.event_name && o.username == record.username
            })
        };
        let slot = last.iter().position(|&other| same_kind(other));
        let reference = slot
            .and_then(|slot| last.get(slot))
            .and_then(|&other| Some((index - other, run.get(other)?.1.body.as_bytes())));
        let (back, before) = reference.unwrap_or((0, b""));
        let body = record.body.as_bytes();
        let prefix = common_prefix(before, body);
        let suffix = common_suffix(
            before.get(prefix..).unwrap_or_default(),
            body.get(prefix..).unwrap_or_default(),
        );
        for n in [back, prefix, suffix] {
            put_varint(out, n as u64);
        }
        let between = body.get(prefix..body.len() - suffix).unwrap_or_default();
        put_varint(out, between.len() as u64);
        out.extend_from_slice(between);
        let replaced = match slot {
            Some(slot) => slot,
            None if last.len() < KINDS => {
                last.push(index);
                continue;
            }
            None => {
                oldest = (oldest + 1) % KINDS;
                (oldest + KINDS - 1) % KINDS
            }
        };
        if let Some(entry) = last.get_mut(replaced) {
            *entry = index;
        }
    }
}

/// Rebuilds the bodies of [`put_bodies`] into `bytes`, the range of each in `ranges`; `None`
/// for a difference that does not fit what it refers to.
pub(super) fn undo_bodies(
    mut stream: &[u8],
    bytes: &mut Vec<u8>,
    ranges: &mut Vec<Range<usize>>,
) -> Option<()> {
    bytes.clear();
    ranges.clear();
    while !stream.is_empty() {
        let back = take_len(&mut stream)?;
        let prefix = take_len(&mut stream)?;
        let suffix = take_len(&mut stream)?;
        let between_len = take_len(&mut stream)?;
        let between = take(&mut stream, between_len)?;
        let before = match back {
            0 => 0..0,
            back => ranges.get(ranges.len().checked_sub(back)?)?.clone(),
        };
        if prefix.checked_add(suffix)? > before.len() {
            return None;
        }
        let start = bytes.len();
        bytes.extend_from_within(before.start..before.start + prefix);
        bytes.extend_from_slice(between);
        bytes.extend_from_within(before.end - suffix..before.end);
        ranges.push(start..bytes.len());
    }
    Some(())
}

/// How many bytes `a` and `b` begin with alike (eight at a time).
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let mut n = 0;
    for (x, y) in a.chunks_exact(8).zip(b.chunks_exact(8)) {
        let differ = word(x) ^ word(y);
        if differ != 0 {
            return n + (differ.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + a
        .iter()
        .skip(n)
        .zip(b.iter().skip(n))
        .take_while(|(x, y)| x == y)
        .count()
}

/// How many bytes `a` and `b` end with alike (eight at a time).
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let mut n = 0;
    for (x, y) in a.rchunks_exact(8).zip(b.rchunks_exact(8)) {
        let differ = word(x) ^ word(y);
        if differ != 0 {
            return n + (differ.leading_zeros() / 8) as usize;
        }
        n += 8;
    }
    n + a
        .iter()
        .rev()
        .skip(n)
        .zip(b.iter().rev().skip(n))
        .take_while(|(x, y)| x == y)
        .count()
}

/// Eight bytes as a little-endian number (0 for a slice of another length: not called so).
fn word(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes.try_into().unwrap_or([0; 8]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_and_refuse_overlong_input() {
        for n in [0, 1, 127, 128, 300, u64::from(u32::MAX), u64::MAX] {
            let mut out = Vec::new();
            put_varint(&mut out, n);
            let mut bytes = out.as_slice();
            assert_eq!(take_varint(&mut bytes), Some(n));
            assert!(bytes.is_empty());
        }
        assert_eq!(take_varint(&mut &[0x80u8; 11][..]), None);
        assert_eq!(take_varint(&mut &[0x80u8][..]), None);
        for n in [0, 1, -1, i64::MIN, i64::MAX] {
            assert_eq!(unzigzag(zigzag(n)), n);
        }
    }

    #[test]
    fn common_ends_are_found_at_every_offset() {
        let a = b"0123456789abcdefghij";
        for cut in 0..a.len() {
            let mut b = a.to_vec();
            b[cut] = b'#';
            assert_eq!(common_prefix(a, &b), cut);
            assert_eq!(common_suffix(a, &b), a.len() - cut - 1);
        }
        assert_eq!(common_prefix(b"abc", b"abcdef"), 3);
        assert_eq!(common_suffix(b"def", b"abcdef"), 3);
        assert_eq!(common_prefix(b"", b"abc"), 0);
    }
}
