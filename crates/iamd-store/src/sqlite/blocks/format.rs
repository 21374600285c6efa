//! A block's bytes. Schema version 5 writes [`pack`]'s: the records' lookup fields
//! (position, time, event id, name, source, username) compressed together, then their JSON
//! bodies compressed in runs of [`CHUNK`] records. Records of a block are alike (GetUser after
//! GetUser): a fifth of the bytes or less, so that much fewer pages go to the WAL and again
//! to the database; a lookup inflates the fields, and the bodies of the records it returns
//! only. Small blocks (a write's) are stored plain, as version 4 stored every block
//! ([`encode_plain`], see [`encode`]).
//!
//! Compressed parts are LZ4 (`lz4_flex`, no unsafe code) with their inflated length first.

use std::ops::Range;

use crate::{AuditRecord, StoreError};

/// The first eight bytes of [`pack`]'s blocks: a negative number, where version 4's blocks
/// begin with a record's position (positive).
const PACKED: [u8; 8] = (-1i64).to_le_bytes();

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

/// A record's lookup fields: position and event time (8 bytes each, little-endian), then
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

/// Records with their positions, as schema version 5 stores a block: [`PACKED`]; the
/// compressed heads ([`put_head`] of each record), as a 4-byte length and bytes; then for
/// each run of [`CHUNK`] records, their compressed bodies (each a 4-byte length and UTF-8),
/// as a 4-byte length and bytes.
pub(super) fn pack(records: &[(i64, &AuditRecord)]) -> Vec<u8> {
    let mut heads = Vec::with_capacity(records.len() * 112);
    for (position, record) in records {
        put_head(&mut heads, *position, record);
    }
    let mut out = Vec::with_capacity(heads.len());
    out.extend_from_slice(&PACKED);
    put_bytes(&mut out, &lz4_flex::compress_prepend_size(&heads));
    let mut bodies = Vec::new();
    for chunk in records.chunks(CHUNK) {
        bodies.clear();
        for (_, record) in chunk {
            put_bytes(&mut bodies, record.body.as_bytes());
        }
        put_bytes(&mut out, &lz4_flex::compress_prepend_size(&bodies));
    }
    out
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
fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
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
}

impl<'a> Block<'a> {
    /// `bytes` of [`pack`] or of version 4; `Err` for bytes that are neither.
    pub fn read(bytes: &'a [u8]) -> Result<Block<'a>, StoreError> {
        let Some(mut rest) = bytes.strip_prefix(&PACKED) else {
            return Ok(Block {
                heads: std::borrow::Cow::Borrowed(bytes),
                chunks: Vec::new(),
            });
        };
        let heads = inflate(take_bytes(&mut rest).ok_or_else(corrupt)?)?;
        let mut chunks = Vec::new();
        while !rest.is_empty() {
            chunks.push(take_bytes(&mut rest).ok_or_else(corrupt)?);
        }
        Ok(Block {
            heads: std::borrow::Cow::Owned(heads),
            chunks,
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
            None => bodies.body(&self.chunks, index)?,
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
    /// The body of the `index`th record of a block whose runs are `chunks`.
    fn body(&mut self, chunks: &[&[u8]], index: usize) -> Result<&[u8], StoreError> {
        let chunk = index / CHUNK;
        if self.chunk != Some(chunk) {
            self.chunk = None;
            self.bytes = inflate(chunks.get(chunk).ok_or_else(corrupt)?)?;
            self.ranges.clear();
            let mut rest: &[u8] = &self.bytes;
            while !rest.is_empty() {
                let body = take_bytes(&mut rest).ok_or_else(corrupt)?;
                let end = self.bytes.len() - rest.len();
                self.ranges.push(end - body.len()..end);
            }
            self.chunk = Some(chunk);
        }
        let range = self.ranges.get(index % CHUNK).ok_or_else(corrupt)?;
        self.bytes.get(range.clone()).ok_or_else(corrupt)
    }
}
