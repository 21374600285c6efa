//! Audit records waiting for the next flush, as text in one buffer that keeps its capacity
//! from flush to flush. A read's record is written straight into it (`ApiCall::record_into`).
//! Records used to wait as structs of owned strings, made on a request's thread and freed ~20 ms
//! later on the flusher's: the allocator's cross-thread frees and cold pages were half of read
//! auditing's cost (perf, 2026-12-07). The flusher makes the store's records on its own thread.

use crate::store::AuditRecord;
use iamd_store::lookup::LookupFields;
use iamd_store::LookupHint;

/// Records in arrival order: their texts one after another in `text`.
#[derive(Default)]
pub(crate) struct Waiting {
    text: String,
    records: Vec<Held>,
    /// The lookup parameters of every record: the lengths of name and value (in `text`).
    parameters: Vec<(usize, usize)>,
    /// The bytes of the records' bodies (what the bound on waiting records counts).
    body_bytes: usize,
}

/// One record: event id, name, source, username and body from `start` in the text, then the
/// lookup hint's access key id and parameters.
struct Held {
    event_time: i64,
    start: usize,
    lengths: [usize; 5],
    lookup: Option<HeldLookup>,
}

struct HeldLookup {
    read_only: Option<bool>,
    access_key_id: Option<usize>,
    parameters: std::ops::Range<usize>,
}

/// What a record is stored and found by, besides its body.
pub(crate) struct Head<'a> {
    pub event_time: i64,
    pub event_id: &'a str,
    pub event_name: &'a str,
    pub event_source: &'a str,
    pub username: &'a str,
}

/// The lookup fields a record's writer knows (see [`iamd_store::LookupHint`]).
pub(crate) struct Hint<'a> {
    pub read_only: Option<bool>,
    pub access_key_id: Option<&'a str>,
}

/// The lookup parameters of a record being pushed by [`Waiting::push_with`].
pub(crate) struct ParameterList<'w> {
    text: &'w mut String,
    parameters: &'w mut Vec<(usize, usize)>,
}

impl ParameterList<'_> {
    /// A parameter whose name `name` writes, with `value`.
    pub fn add(&mut self, name: impl FnOnce(&mut String), value: &str) {
        let start = self.text.len();
        name(self.text);
        let name_len = self.text.len() - start;
        self.text.push_str(value);
        self.parameters.push((name_len, value.len()));
    }
}

impl Waiting {
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn body_bytes(&self) -> usize {
        self.body_bytes
    }

    pub fn push(&mut self, record: &AuditRecord) {
        let fields = record.lookup.0.as_ref();
        self.push_with(
            Head {
                event_time: record.event_time,
                event_id: &record.event_id,
                event_name: &record.event_name,
                event_source: &record.event_source,
                username: &record.username,
            },
            |body| body.push_str(&record.body),
            fields.map(|f| Hint {
                read_only: f.read_only,
                access_key_id: f.access_key_id.as_deref(),
            }),
            |list| {
                for (name, value) in fields.map(|f| &f.parameters[..]).unwrap_or_default() {
                    list.add(|text| text.push_str(name), value);
                }
            },
        );
    }

    /// Pushes a record written straight into the buffer (nothing allocated once it has grown):
    /// `head`, the body `body` writes, and with `hint` the parameters `parameters` adds.
    pub fn push_with(
        &mut self,
        head: Head<'_>,
        body: impl FnOnce(&mut String),
        hint: Option<Hint<'_>>,
        parameters: impl FnOnce(&mut ParameterList<'_>),
    ) {
        let start = self.text.len();
        for text in [
            head.event_id,
            head.event_name,
            head.event_source,
            head.username,
        ] {
            self.text.push_str(text);
        }
        let body_start = self.text.len();
        body(&mut self.text);
        let body_len = self.text.len() - body_start;
        let lookup = hint.map(|hint| {
            if let Some(key) = hint.access_key_id {
                self.text.push_str(key);
            }
            let first = self.parameters.len();
            parameters(&mut ParameterList {
                text: &mut self.text,
                parameters: &mut self.parameters,
            });
            HeldLookup {
                read_only: hint.read_only,
                access_key_id: hint.access_key_id.map(str::len),
                parameters: first..self.parameters.len(),
            }
        });
        self.records.push(Held {
            event_time: head.event_time,
            start,
            lengths: [
                head.event_id.len(),
                head.event_name.len(),
                head.event_source.len(),
                head.username.len(),
                body_len,
            ],
            lookup,
        });
        self.body_bytes += body_len;
    }

    /// The records, as they were pushed.
    pub fn records(&self) -> Vec<AuditRecord> {
        let mut records = Vec::new();
        self.records_into(&mut records);
        records
    }

    /// The records, as they were pushed, in `out`: its records are written over (their
    /// strings keep their capacity: a flush allocates nothing once they have grown), and
    /// it ends with as many as there are.
    pub fn records_into(&self, out: &mut Vec<AuditRecord>) {
        out.truncate(self.records.len());
        for (i, held) in self.records.iter().enumerate() {
            match out.get_mut(i) {
                Some(record) => self.fill(held, record),
                None => {
                    let mut record = AuditRecord {
                        event_id: String::new(),
                        event_time: 0,
                        event_name: String::new(),
                        event_source: String::new(),
                        username: String::new(),
                        body: String::new(),
                        lookup: LookupHint::none(),
                    };
                    self.fill(held, &mut record);
                    out.push(record);
                }
            }
        }
    }

    /// Writes the record `held` over `record`.
    fn fill(&self, held: &Held, record: &mut AuditRecord) {
        let mut at = held.start;
        let mut next = |into: &mut String, len: usize| {
            into.clear();
            into.push_str(self.text.get(at..at + len).unwrap_or_default());
            at += len;
        };
        record.event_time = held.event_time;
        let [id, name, source, username, body] = held.lengths;
        next(&mut record.event_id, id);
        next(&mut record.event_name, name);
        next(&mut record.event_source, source);
        next(&mut record.username, username);
        next(&mut record.body, body);
        let Some(lookup) = &held.lookup else {
            record.lookup.0 = None;
            return;
        };
        let fields = record.lookup.0.get_or_insert_with(LookupFields::default);
        fields.read_only = lookup.read_only;
        match lookup.access_key_id {
            Some(len) => next(fields.access_key_id.get_or_insert_with(String::new), len),
            None => fields.access_key_id = None,
        }
        let parameters = self
            .parameters
            .get(lookup.parameters.clone())
            .unwrap_or_default();
        fields.parameters.truncate(parameters.len());
        for (i, &(name_len, value_len)) in parameters.iter().enumerate() {
            if fields.parameters.len() == i {
                fields.parameters.push((String::new(), String::new()));
            }
            if let Some((name, value)) = fields.parameters.get_mut(i) {
                next(name, name_len);
                next(value, value_len);
            }
        }
    }

    /// The bytes it holds room for (text, records and parameters).
    pub fn capacity_bytes(&self) -> usize {
        self.text.capacity()
            + self.records.capacity() * std::mem::size_of::<Held>()
            + self.parameters.capacity() * std::mem::size_of::<(usize, usize)>()
    }

    /// Empties it, keeping its capacity.
    pub fn clear(&mut self) {
        self.text.clear();
        self.records.clear();
        self.parameters.clear();
        self.body_bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(i: usize, lookup: Option<LookupFields>) -> AuditRecord {
        AuditRecord {
            event_id: format!("id-{i}"),
            event_time: 1_796_634_321 + i as i64,
            event_name: if i.is_multiple_of(2) {
                "GetUser"
            } else {
                "ListUsers"
            }
            .into(),
            event_source: "iam.amazonaws.com".into(),
            username: if i.is_multiple_of(3) {
                String::new()
            } else {
                format!("ü{i}")
            },
            body: format!("{{\"n\":{i}}}"),
            lookup: LookupHint(lookup),
        }
    }

    fn fields(i: usize) -> LookupFields {
        LookupFields {
            read_only: i.is_multiple_of(2).then_some(i.is_multiple_of(4)),
            access_key_id: (!i.is_multiple_of(3)).then(|| format!("AKIA{i}")),
            parameters: (0..i % 4)
                .map(|p| (format!("name{p}"), "é".repeat(p)))
                .collect(),
        }
    }

    #[test]
    fn records_come_back_as_they_went_in_with_their_lookup_hints() {
        let mut waiting = Waiting::default();
        let records: Vec<AuditRecord> = (0..40)
            .map(|i| record(i, (!i.is_multiple_of(5)).then(|| fields(i))))
            .collect();
        for r in &records {
            waiting.push(r);
        }
        assert_eq!(waiting.len(), 40);
        let body_bytes: usize = records.iter().map(|r| r.body.len()).sum();
        assert_eq!(waiting.body_bytes(), body_bytes);
        let back = waiting.records();
        assert_eq!(back, records);
        for (got, sent) in back.iter().zip(&records) {
            assert_eq!(got.lookup.0, sent.lookup.0);
        }
        waiting.clear();
        assert_eq!((waiting.len(), waiting.body_bytes()), (0, 0));
        assert!(waiting.records().is_empty());
        waiting.push(&records[7]);
        assert_eq!(waiting.records(), vec![records[7].clone()]);
        assert_eq!(waiting.records()[0].lookup.0, records[7].lookup.0);
    }

    #[test]
    fn records_written_over_older_ones_are_the_records_pushed() {
        let mut out = Vec::new();
        let mut waiting = Waiting::default();
        // Rounds of other sizes, each record's hint and parameters unlike the last round's.
        for (round, count) in [(0, 30), (1, 12), (2, 40), (3, 0), (4, 7)] {
            let records: Vec<AuditRecord> = (0..count)
                .map(|i| {
                    let i = i + round;
                    record(i, (!i.is_multiple_of(2 + round)).then(|| fields(i)))
                })
                .collect();
            waiting.clear();
            for r in &records {
                waiting.push(r);
            }
            waiting.records_into(&mut out);
            assert_eq!(out, records, "round {round}");
            for (got, sent) in out.iter().zip(&records) {
                assert_eq!(got.lookup.0, sent.lookup.0, "round {round}");
            }
        }
    }
}
