//! A block's bytes. Schema version 6 writes [`pack`]'s ([`DELTA`]): the records' lookup
//! fields (position, time, event id, name, source, username), then their JSON bodies in runs
//! of [`CHUNK`] records, all as differences (see `delta`: a read's record differs from the
//! one before it in its ids and time only). A run whose differences are small is stored as it
//! is (without going through LZ4, which cost a fifth of recording a read); another run is
//! compressed. A lookup rebuilds the fields, and the bodies of the runs it returns only.
//! Small blocks (a write's) are stored plain, as version 4 stored every block
//! ([`encode_plain`], see [`encode`]). Version 5's blocks ([`PACKED`], all LZ4) are still read.
//!
//! Compressed parts are LZ4 (`lz4_flex`; its decoder without unsafe code) with their
//! inflated length first.

use std::ops::Range;

use super::delta;
use crate::{AuditRecord, StoreError};

/// The first eight bytes of version 5's blocks (all LZ4): a negative number, where version
/// 4's blocks begin with a record's position (positive).
const PACKED: [u8; 8] = (-1i64).to_le_bytes();

/// The first eight bytes of [`pack`]'s blocks: bodies as differences ([`put_delta`]).
const DELTA: [u8; 8] = (-2i64).to_le_bytes();

/// Records per run of bodies compressed together.
const CHUNK: usize = 64;

/// The most bytes a compressed part inflates to (a block holds a flush of a few thousand
/// records of at most a few hundred KiB each): a corrupt length is refused, not allocated.
const MAX_INFLATED: usize = 1 << 30;

pub(super) fn corrupt() -> StoreError {
    StoreError("corrupt audit block".into())
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(bytes);
}

/// A record's lookup fields as the heads of a block are read (`delta` writes them shorter):
/// position and event time (8 bytes each, little-endian), then
/// event id, name, source and username, each as a 4-byte little-endian length and UTF-8.
fn put_head(out: &mut Vec<u8>, position: i64, record: &AuditRecord) {
    out.extend_from_slice(&position.to_le_bytes());
    out.extend_from_slice(&record.event_time.to_le_bytes());
    for text in [
        &record.event_id,
        &record.event_name,
        &record.event_source,
        &record.username,
    ] {
        put_bytes(out, text.as_bytes());
    }
}

/// Records with their positions as a block: [`DELTA`]; the heads (`delta::put_heads`) as a
/// part ([`put_part`]); then for each run of [`CHUNK`] records, their bodies
/// (`delta::put_bodies`) as a part, compressed unless they are [`ALIKE`].
pub(super) fn pack(records: &[(i64, &AuditRecord)]) -> Vec<u8> {
    let mut heads = Vec::with_capacity(records.len() * 48);
    delta::put_heads(&mut heads, records);
    let mut out = Vec::with_capacity(heads.len() * 4);
    out.extend_from_slice(&DELTA);
    let mut compressor = Compressor::default();
    put_part(&mut out, &heads, None);
    let mut bodies = Vec::new();
    for run in records.chunks(CHUNK) {
        bodies.clear();
        delta::put_bodies(&mut bodies, run);
        let whole: usize = run.iter().map(|(_, r)| r.body.len()).sum();
        let alike = bodies.len() <= whole / ALIKE;
        put_part(&mut out, &bodies, (!alike).then_some(&mut compressor));
    }
    out
}

/// A run's differences are stored as they are when they are at most this fraction of its
/// bodies' text (else compressed).
const ALIKE: usize = 4;

/// How a part of a [`DELTA`] block begins: its bytes as they are, or LZ4's.
const STORED: u8 = 0;
const COMPRESSED: u8 = 1;

/// Appends a part of a [`DELTA`] block: a 4-byte length, then [`STORED`] and `bytes`, or
/// [`COMPRESSED`] and `bytes` compressed by `compressor`.
fn put_part(out: &mut Vec<u8>, bytes: &[u8], compressor: Option<&mut Compressor>) {
    match compressor {
        None => {
            let len = u32::try_from(bytes.len() + 1).unwrap_or(u32::MAX);
            out.extend_from_slice(&len.to_le_bytes());
            out.push(STORED);
            out.extend_from_slice(bytes);
        }
        Some(compressor) => {
            let start = out.len();
            out.extend_from_slice(&[0; 4]);
            out.push(COMPRESSED);
            compressor.put(out, bytes);
            let len = u32::try_from(out.len() - start - 4).unwrap_or(u32::MAX);
            if let Some(slot) = out.get_mut(start..start + 4) {
                slot.copy_from_slice(&len.to_le_bytes());
            }
        }
    }
}

/// The bytes of a part of a [`DELTA`] block.
fn open_part(part: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, StoreError> {
    match part.split_first() {
        Some((&STORED, bytes)) => Ok(std::borrow::Cow::Borrowed(bytes)),
        Some((&COMPRESSED, bytes)) => Ok(std::borrow::Cow::Owned(inflate(bytes)?)),
        _ => Err(corrupt()),
    }
}

/// Records with their positions as version 5 wrote a block ([`PACKED`]): the
/// compressed heads ([`put_head`] of each record), as a 4-byte length and bytes; then for
/// each run of [`CHUNK`] records, their compressed bodies (each a 4-byte length and UTF-8),
/// as a 4-byte length and bytes.
#[cfg(test)]
pub(super) fn pack_whole(records: &[(i64, &AuditRecord)]) -> Vec<u8> {
    let mut heads = Vec::new();
    for (position, record) in records {
        put_head(&mut heads, *position, record);
    }
    let mut out = PACKED.to_vec();
    put_bytes(&mut out, &lz4_flex::compress_prepend_size(&heads));
    let mut bodies = Vec::new();
    for run in records.chunks(CHUNK) {
        bodies.clear();
        for (_, record) in run {
            put_bytes(&mut bodies, record.body.as_bytes());
        }
        put_bytes(&mut out, &lz4_flex::compress_prepend_size(&bodies));
    }
    out
}

/// LZ4 for the parts of one block: its hash table and output buffer serve every part (every
/// read's record goes through it: a fresh zeroed buffer and table per part cost a sixth).
#[derive(Default)]
struct Compressor {
    table: lz4_flex::block::CompressTable,
    scratch: Vec<u8>,
}

impl Compressor {
    /// Appends `input` as `lz4_flex::compress_prepend_size` writes it: its length (4 bytes,
    /// little-endian), then the LZ4 block.
    fn put(&mut self, out: &mut Vec<u8>, input: &[u8]) {
        let max = lz4_flex::block::get_maximum_output_size(input.len());
        if self.scratch.len() < max {
            self.scratch.resize(max, 0);
        }
        let scratch = self.scratch.get_mut(..max).unwrap_or_default();
        match lz4_flex::block::compress_into_with_table(input, scratch, &mut self.table) {
            Ok(n) => {
                let inflated = u32::try_from(input.len()).unwrap_or(u32::MAX);
                out.extend_from_slice(&inflated.to_le_bytes());
                out.extend_from_slice(scratch.get(..n).unwrap_or_default());
            }
            // The buffer has the room LZ4 can need: not expected, but never a lost part.
            Err(_) => out.extend_from_slice(&lz4_flex::compress_prepend_size(input)),
        }
    }
}

/// Blocks of at most this many bytes plain are stored plain ([`encode_plain`]): they fit in
/// one database page either way, and compressing a write's one record costs more (LZ4's
/// tables) than the rest of storing it.
const PLAIN_MAX: usize = 3000;

/// A block's bytes: [`encode_plain`]'s for a small block, [`pack`]'s for a larger one.
pub(super) fn encode(records: &[(i64, &AuditRecord)]) -> Vec<u8> {
    let plain: usize = records
        .iter()
        .map(|(_, r)| {
            let texts = [
                &r.event_id,
                &r.event_name,
                &r.event_source,
                &r.username,
                &r.body,
            ];
            16 + texts.iter().map(|t| 4 + t.len()).sum::<usize>()
        })
        .sum();
    if plain <= PLAIN_MAX {
        encode_plain(records)
    } else {
        pack(records)
    }
}

/// Records as schema version 4 stored a block, and version 5 a small one: of each, its
/// [`put_head`] then its body (a 4-byte length and UTF-8).
pub(super) fn encode_plain(records: &[(i64, &AuditRecord)]) -> Vec<u8> {
    let mut out = Vec::with_capacity(PLAIN_MAX);
    for (position, record) in records {
        put_head(&mut out, *position, record);
        put_bytes(&mut out, record.body.as_bytes());
    }
    out
}

/// Reads `n` bytes off the front of `bytes`.
pub(super) fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if bytes.len() < n {
        return None;
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Some(head)
}

fn take_number(bytes: &mut &[u8]) -> Option<i64> {
    Some(i64::from_le_bytes(take(bytes, 8)?.try_into().ok()?))
}

/// Reads a 4-byte length and that many bytes.
fn take_bytes<'a>(bytes: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = u32::from_le_bytes(take(bytes, 4)?.try_into().ok()?);
    take(bytes, usize::try_from(len).ok()?)
}

fn take_text<'a>(bytes: &mut &'a [u8]) -> Option<&'a str> {
    std::str::from_utf8(take_bytes(bytes)?).ok()
}

/// Inflates a compressed part.
fn inflate(compressed: &[u8]) -> Result<Vec<u8>, StoreError> {
    let size = compressed
        .get(..4)
        .and_then(|len| Some(u32::from_le_bytes(len.try_into().ok()?)))
        .ok_or_else(corrupt)?;
    if usize::try_from(size).map_or(true, |size| size > MAX_INFLATED) {
        return Err(corrupt());
    }
    lz4_flex::decompress_size_prepended(compressed).map_err(|_| corrupt())
}

/// A record's lookup fields, read in place.
pub(in crate::sqlite) struct Head<'a> {
    pub position: i64,
    pub event_time: i64,
    pub event_id: &'a str,
    pub event_name: &'a str,
    pub event_source: &'a str,
    pub username: &'a str,
    /// A version 4 block's body, in place (UTF-8 checked when a record is made of it).
    plain_body: Option<&'a [u8]>,
}

/// A stored block, read: its heads inflated, bodies inflated when asked for.
pub(in crate::sqlite) struct Block<'a> {
    /// The heads' bytes ([`put_head`]s; with bodies in a version 4 block).
    heads: std::borrow::Cow<'a, [u8]>,
    /// The compressed runs of bodies (none in a version 4 block).
    chunks: Vec<&'a [u8]>,
    /// Bodies after the first of a run are differences ([`DELTA`]).
    delta: bool,
}

impl<'a> Block<'a> {
    /// `bytes` of [`pack`] or of version 4; `Err` for bytes that are neither.
    pub fn read(bytes: &'a [u8]) -> Result<Block<'a>, StoreError> {
        let (mut rest, delta) = match (bytes.strip_prefix(&DELTA), bytes.strip_prefix(&PACKED)) {
            (Some(rest), _) => (rest, true),
            (None, Some(rest)) => (rest, false),
            (None, None) => {
                return Ok(Block {
                    heads: std::borrow::Cow::Borrowed(bytes),
                    chunks: Vec::new(),
                    delta: false,
                })
            }
        };
        let heads = take_bytes(&mut rest).ok_or_else(corrupt)?;
        let heads = match delta {
            true => delta::undo_heads(&open_part(heads)?).ok_or_else(corrupt)?,
            false => inflate(heads)?,
        };
        let mut chunks = Vec::new();
        while !rest.is_empty() {
            chunks.push(take_bytes(&mut rest).ok_or_else(corrupt)?);
        }
        Ok(Block {
            heads: std::borrow::Cow::Owned(heads),
            chunks,
            delta,
        })
    }

    fn packed(&self) -> bool {
        matches!(self.heads, std::borrow::Cow::Owned(_))
    }

    /// The records' lookup fields, in the block's order.
    pub fn heads<'b>(&'b self) -> Result<Vec<Head<'b>>, StoreError> {
        let packed = self.packed();
        let mut bytes: &'b [u8] = &self.heads;
        let mut heads = Vec::new();
        while !bytes.is_empty() {
            let mut one = || -> Option<Head<'b>> {
                Some(Head {
                    position: take_number(&mut bytes)?,
                    event_time: take_number(&mut bytes)?,
                    event_id: take_text(&mut bytes)?,
                    event_name: take_text(&mut bytes)?,
                    event_source: take_text(&mut bytes)?,
                    username: take_text(&mut bytes)?,
                    plain_body: if packed {
                        None
                    } else {
                        Some(take_bytes(&mut bytes)?)
                    },
                })
            };
            heads.push(one().ok_or_else(corrupt)?);
        }
        if packed && heads.len().div_ceil(CHUNK) != self.chunks.len() {
            return Err(corrupt());
        }
        Ok(heads)
    }

    /// Every record with its position.
    pub fn records(&self) -> Result<Vec<(i64, AuditRecord)>, StoreError> {
        let mut bodies = Bodies::default();
        self.heads()?
            .iter()
            .enumerate()
            .map(|(index, head)| Ok((head.position, self.record(index, head, &mut bodies)?)))
            .collect()
    }

    /// The record of `head`, the `index`th of the block (`bodies`: the run of bodies last
    /// inflated, kept for the next call).
    pub fn record(
        &self,
        index: usize,
        head: &Head<'_>,
        bodies: &mut Bodies,
    ) -> Result<AuditRecord, StoreError> {
        let body = match head.plain_body {
            Some(body) => body,
            None => bodies.body(&self.chunks, self.delta, index)?,
        };
        Ok(AuditRecord {
            event_id: head.event_id.to_string(),
            event_time: head.event_time,
            event_name: head.event_name.to_string(),
            event_source: head.event_source.to_string(),
            username: head.username.to_string(),
            body: String::from_utf8(body.to_vec()).map_err(|_| corrupt())?,
            lookup: Default::default(),
        })
    }
}

/// The last run of bodies inflated: which, its bytes, and where each body is in them.
#[derive(Default)]
pub(in crate::sqlite) struct Bodies {
    chunk: Option<usize>,
    bytes: Vec<u8>,
    ranges: Vec<Range<usize>>,
}

impl Bodies {
    /// The body of the `index`th record of a block whose runs are `chunks` (of differences:
    /// `delta`).
    fn body(&mut self, chunks: &[&[u8]], delta: bool, index: usize) -> Result<&[u8], StoreError> {
        let chunk = index / CHUNK;
        if self.chunk != Some(chunk) {
            self.chunk = None;
            let part = chunks.get(chunk).ok_or_else(corrupt)?;
            if delta {
                delta::undo_bodies(&open_part(part)?, &mut self.bytes, &mut self.ranges)
                    .ok_or_else(corrupt)?;
            } else {
                self.bytes = inflate(part)?;
                self.ranges.clear();
                let mut rest: &[u8] = &self.bytes;
                while !rest.is_empty() {
                    let body = take_bytes(&mut rest).ok_or_else(corrupt)?;
                    let end = self.bytes.len() - rest.len();
                    self.ranges.push(end - body.len()..end);
                }
            }
            self.chunk = Some(chunk);
        }
        let range = self.ranges.get(index % CHUNK).ok_or_else(corrupt)?;
        self.bytes.get(range.clone()).ok_or_else(corrupt)
    }
}
