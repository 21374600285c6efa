//! Helpers shared by operations: typed input, pagination, names and paths.

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::IamError;

/// Reads the wire layer's JSON input as a typed struct.
pub(crate) fn input<T: DeserializeOwned>(value: &Value) -> Result<T, IamError> {
    T::deserialize(value).map_err(|e| IamError::validation(format!("invalid request: {e}")))
}

/// One page of a list, with AWS's `Marker` / `IsTruncated`.
pub struct Page<T> {
    pub items: Vec<T>,
    pub marker: Option<String>,
}

/// Pages `items` (already in order, with their sort keys): starts after `marker` (the key of
/// the first item of this page; keys ascend), returns at most `max_items` (default 100).
pub fn paginate<T>(
    items: impl Iterator<Item = (String, T)>,
    marker: Option<&str>,
    max_items: Option<i64>,
) -> Result<Page<T>, IamError> {
    paginate_by(items, marker, max_items, |item| item)
}

/// As [`paginate`], building each item's output with `build` only for the items of the page
/// (the items skipped before the marker cost no more than their key).
pub fn paginate_by<I, T>(
    items: impl Iterator<Item = (String, I)>,
    marker: Option<&str>,
    max_items: Option<i64>,
    mut build: impl FnMut(I) -> T,
) -> Result<Page<T>, IamError> {
    let max = max_items.unwrap_or(100).clamp(1, 1000) as usize;
    let mut started = marker.is_none();
    let mut out = Vec::new();
    let mut next = None;
    for (key, item) in items {
        if !started {
            match marker {
                Some(m) if key.as_str() >= m => started = true,
                _ => continue,
            }
        }
        if out.len() == max {
            next = Some(key);
            break;
        }
        out.push(build(item));
    }
    Ok(Page {
        items: out,
        marker: next,
    })
}

/// The entries of `map` from the key `from` on (all of them without one): where a page
/// starts, found in O(log n) instead of by walking the entries before it.
pub fn entries_from<'a, V: Clone>(
    map: &'a imbl::OrdMap<String, V>,
    from: Option<&str>,
) -> impl Iterator<Item = (&'a String, &'a V)> {
    map.range(from.unwrap_or_default().to_string()..)
}

impl<T> Page<T> {
    /// Adds `IsTruncated` and `Marker` to a result object.
    pub fn finish(
        self,
        mut result: serde_json::Map<String, Value>,
        list_name: &str,
    ) -> Result<Value, IamError>
    where
        T: serde::Serialize,
    {
        let items = serde_json::to_value(&self.items).map_err(|_| IamError::service_failure())?;
        result.insert(list_name.to_string(), items);
        result.insert("IsTruncated".into(), Value::Bool(self.marker.is_some()));
        if let Some(marker) = self.marker {
            result.insert("Marker".into(), Value::String(marker));
        }
        Ok(Value::Object(result))
    }
}

/// `/` when absent.
pub(crate) fn path_or_root(path: Option<String>) -> String {
    path.unwrap_or_else(|| "/".to_string())
}
