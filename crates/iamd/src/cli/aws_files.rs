//! The AWS CLI's shared files: `credentials` (`AWS_SHARED_CREDENTIALS_FILE`, default
//! `~/.aws/credentials`, sections `[P]`) and `config` (`AWS_CONFIG_FILE`, default
//! `~/.aws/config`, sections `[profile P]` and `[default]`). Reading finds a profile's keys and
//! settings; writing replaces or appends one section and keeps every other byte (comments,
//! other profiles), atomically (temporary file in the same folder, then rename).

use std::io::Write;
use std::path::{Path, PathBuf};

/// One of the two files, as read (empty when it does not exist).
pub struct IniFile {
    pub path: PathBuf,
    pub text: String,
}

impl IniFile {
    /// Reads `path`; a missing file is empty, an unreadable one an error.
    pub fn read(path: PathBuf) -> Result<IniFile, String> {
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(IniFile { path, text }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(IniFile {
                path,
                text: String::new(),
            }),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// The `key = value` pairs of section `[name]`, keys lowercased; `None` when there is
    /// no such section.
    pub fn section(&self, name: &str) -> Option<Vec<(String, String)>> {
        let mut found = None;
        for line in self.text.lines() {
            let line = line.trim();
            if let Some(header) = header_of(line) {
                if found.is_some() {
                    break;
                }
                if header == name {
                    found = Some(Vec::new());
                }
                continue;
            }
            let Some(values) = found.as_mut() else {
                continue;
            };
            if line.starts_with(['#', ';']) {
                continue;
            }
            if let Some((key, value)) = line.split_once('=') {
                values.push((key.trim().to_ascii_lowercase(), value.trim().to_string()));
            }
        }
        found
    }

    /// One value of section `[name]`.
    pub fn value(&self, name: &str, key: &str) -> Option<String> {
        self.section(name)?
            .into_iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// The text with section `[name]` holding exactly `values` (replaced where it is, or
    /// appended); everything else unchanged.
    pub fn with_section(&self, name: &str, values: &[(&str, &str)]) -> String {
        let mut body = String::new();
        for (key, value) in values {
            body.push_str(&format!("{key} = {value}\n"));
        }
        let lines: Vec<&str> = self.text.split_inclusive('\n').collect();
        let start = lines.iter().position(|l| header_of(l.trim()) == Some(name));
        let Some(start) = start else {
            let mut text = self.text.clone();
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&format!("[{name}]\n{body}"));
            return text;
        };
        let end = lines
            .iter()
            .enumerate()
            .skip(start + 1)
            .find(|(_, l)| header_of(l.trim()).is_some())
            .map_or(lines.len(), |(i, _)| i);
        let mut text: String = lines.iter().take(start + 1).copied().collect();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&body);
        if end < lines.len() {
            text.push('\n');
        }
        text.extend(lines.iter().skip(end).copied());
        text
    }

    /// Writes `text` atomically: a temporary file beside this one (mode 0600, or the file's
    /// own mode), flushed, then renamed over it. Creates the folder (0700) if needed.
    pub fn write(&self, text: &str) -> Result<(), String> {
        write_atomically(&self.path, text.as_bytes())
    }
}

/// `name` for a line `[name]` (inner spaces trimmed, a comment after it allowed).
fn header_of(line: &str) -> Option<&str> {
    let (name, rest) = line.strip_prefix('[')?.split_once(']')?;
    let rest = rest.trim();
    (rest.is_empty() || rest.starts_with(['#', ';'])).then(|| name.trim())
}

/// Writes `bytes` to `path` through a temporary file and a rename (mode 0600, or the mode
/// `path` already has).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !dir.exists() {
        create_private_dir(dir).map_err(fail)?;
    }
    let mode = existing_mode(path).unwrap_or(0o600);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.iamd-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = open_with_mode(&temporary, mode)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.map_err(fail)
}

#[cfg(unix)]
fn existing_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o777)
}

#[cfg(not(unix))]
fn existing_mode(_path: &Path) -> Option<u32> {
    None
}

#[cfg(unix)]
fn open_with_mode(path: &Path, mode: u32) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
}

#[cfg(not(unix))]
fn open_with_mode(path: &Path, _mode: u32) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Creates `dir` and its parents, the new ones mode 0700.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    {
        std::fs::create_dir_all(dir)
    }
}

/// The user's home folder (`HOME`).
pub fn home() -> Result<PathBuf, String> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .ok_or_else(|| "HOME is not set: cannot find ~/.aws".to_string())
}

/// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
pub fn credentials_path() -> Result<PathBuf, String> {
    path_from("AWS_SHARED_CREDENTIALS_FILE", "credentials")
}

/// `AWS_CONFIG_FILE`, else `~/.aws/config`.
pub fn config_path() -> Result<PathBuf, String> {
    path_from("AWS_CONFIG_FILE", "config")
}

fn path_from(variable: &str, file: &str) -> Result<PathBuf, String> {
    match std::env::var_os(variable).filter(|v| !v.is_empty()) {
        Some(path) => Ok(PathBuf::from(path)),
        None => Ok(home()?.join(".aws").join(file)),
    }
}

/// The config file's section name for `profile`.
pub fn config_section(profile: &str) -> String {
    if profile == "default" {
        "default".to_string()
    } else {
        format!("profile {profile}")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn file(text: &str) -> IniFile {
        IniFile {
            path: PathBuf::from("credentials"),
            text: text.to_string(),
        }
    }

    #[test]
    fn reads_sections() {
        let f = file("# keys\n[default]\naws_access_key_id = AKIA1\n; note\n[ dev ]\nAWS_Secret_Access_Key=s = x\n");
        assert_eq!(
            f.value("default", "aws_access_key_id").as_deref(),
            Some("AKIA1")
        );
        assert_eq!(
            f.value("dev", "aws_secret_access_key").as_deref(),
            Some("s = x")
        );
        assert!(f.section("prod").is_none());
    }

    #[test]
    fn replaces_or_appends_one_section_and_keeps_the_rest_byte_for_byte() {
        let before = "# my keys\n[dev]\naws_access_key_id = A\n\n[dev-mfa]\naws_access_key_id = OLD\nexpiration = x\n\n[other] # c\nk = v\n";
        let after = file(before).with_section("dev-mfa", &[("aws_access_key_id", "NEW")]);
        assert_eq!(
            after,
            "# my keys\n[dev]\naws_access_key_id = A\n\n[dev-mfa]\naws_access_key_id = NEW\n\n[other] # c\nk = v\n"
        );
        let appended = file("[dev]\nk = v").with_section("dev-mfa", &[("a", "b")]);
        assert_eq!(appended, "[dev]\nk = v\n\n[dev-mfa]\na = b\n");
        assert_eq!(file("").with_section("x", &[("a", "b")]), "[x]\na = b\n");
        // The last section, replaced.
        let last = file("[a]\nk = 1\n[x]\nold = 1\n").with_section("x", &[("new", "2")]);
        assert_eq!(last, "[a]\nk = 1\n[x]\nnew = 2\n");
    }
}
