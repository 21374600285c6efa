//! The credential audit as one self-contained HTML page: no external assets (inline style,
//! an inline SVG chart, a few lines of inline script to sort the tables).

use super::{Audit, Limits, Severity};

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1f24}\
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}\
table{border-collapse:collapse;min-width:40rem}th,td{border:1px solid #d0d7de;padding:.35rem .6rem;text-align:left}\
th{background:#f6f8fa;cursor:pointer;user-select:none}th:after{content:' \\2195';color:#8c959f}\
.high{color:#b42318;font-weight:600}.medium{color:#9a6700;font-weight:600}.low{color:#57606a}\
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;vertical-align:middle}";

/// Sorts a table by the clicked column (numbers as numbers), toggling the direction.
const SCRIPT: &str = "document.querySelectorAll('table.sortable th').forEach(function(th,i){\
th.addEventListener('click',function(){var t=th.closest('table'),b=t.tBodies[0];\
var rows=Array.prototype.slice.call(b.rows),up=th.dataset.up!=='1';th.dataset.up=up?'1':'0';\
rows.sort(function(a,c){var x=a.cells[i].dataset.v||a.cells[i].textContent,y=c.cells[i].dataset.v||c.cells[i].textContent;\
var nx=parseFloat(x),ny=parseFloat(y),r=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y);return up?r:-r;});\
rows.forEach(function(r){b.appendChild(r);});});});";

/// The whole page.
pub fn page(audit: &Audit, limits: &Limits) -> String {
    let generated = iamd_core::time::iso8601(limits.now);
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>iamd: MFA coverage and credentials</title><style>{STYLE}</style></head><body>\n\
         <h1>MFA coverage and credentials</h1>\n<p>Generated {generated}. {} of {} users with a \
         password or an active access key have an MFA device; {} finding(s). Credentials unused \
         for {} days and access keys older than {} days are reported.</p>\n",
        audit.with_mfa,
        audit.with_credentials,
        audit.findings.len(),
        limits.unused_days,
        limits.rotation_days
    );
    html.push_str("<h2>MFA coverage</h2>\n");
    html.push_str(&chart(audit));
    html.push_str(&findings(audit));
    html.push_str(&users(audit));
    html.push_str(&format!("<script>{SCRIPT}</script>\n</body></html>\n"));
    html
}

/// A horizontal stacked bar per kind of credential: with MFA (green), without (red).
fn chart(audit: &Audit) -> String {
    let rows = audit.coverage();
    let most = rows
        .iter()
        .map(|(_, w, wo)| w + wo)
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_width, bar_width, row_height) = (170, 420, 34);
    let height = rows.len() * row_height + 10;
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"MFA coverage\" width=\"{}\" height=\"{height}\" \
         xmlns=\"http://www.w3.org/2000/svg\" font-size=\"13\">\n",
        label_width + bar_width + 120
    );
    for (i, (label, with, without)) in rows.iter().enumerate() {
        let y = i * row_height + 5;
        let with_w = with * bar_width / most;
        let without_w = without * bar_width / most;
        svg.push_str(&format!(
            "<text x=\"0\" y=\"{}\">{label}</text>\
             <rect x=\"{label_width}\" y=\"{y}\" width=\"{with_w}\" height=\"22\" fill=\"#1a7f37\"><title>{with} with MFA</title></rect>\
             <rect x=\"{}\" y=\"{y}\" width=\"{without_w}\" height=\"22\" fill=\"#cf222e\"><title>{without} without MFA</title></rect>\
             <text x=\"{}\" y=\"{}\">{with} with MFA, {without} without</text>\n",
            y + 16,
            label_width + with_w,
            label_width + with_w + without_w + 8,
            y + 16
        ));
    }
    svg.push_str(
        "</svg>\n<p class=\"legend\"><span style=\"background:#1a7f37\"></span>with MFA\
                  <span style=\"background:#cf222e\"></span>without MFA</p>\n",
    );
    svg
}

fn findings(audit: &Audit) -> String {
    let mut html = String::from("<h2>Findings, most serious first</h2>\n");
    if audit.findings.is_empty() {
        html.push_str("<p>Nothing to report.</p>\n");
        return html;
    }
    html.push_str(
        "<table class=\"sortable\" id=\"findings\"><thead><tr><th>Severity</th><th>User</th>\
         <th>Finding</th></tr></thead><tbody>\n",
    );
    for f in &audit.findings {
        let rank = match f.severity {
            Severity::High => 1,
            Severity::Medium => 2,
            Severity::Low => 3,
        };
        html.push_str(&format!(
            "<tr><td class=\"{}\" data-v=\"{rank}\">{}</td><td>{}</td><td>{}</td></tr>\n",
            f.severity.word().to_ascii_lowercase(),
            f.severity.word(),
            escape(&f.user),
            escape(&f.text)
        ));
    }
    html.push_str("</tbody></table>\n");
    html
}

fn users(audit: &Audit) -> String {
    let mut html = String::from(
        "<h2>Users</h2>\n<table class=\"sortable\" id=\"users\"><thead><tr><th>User</th>\
         <th>Console password</th><th>MFA</th><th>Active access keys</th>\
         <th>Last used (days ago)</th><th>Policies require MFA</th><th>Inactive</th></tr></thead><tbody>\n",
    );
    let yes = |b: bool| if b { "yes" } else { "no" };
    for u in &audit.users {
        let last = u
            .last_used_days
            .map_or(("never".to_string(), "999999".to_string()), |d| {
                (d.to_string(), d.to_string())
            });
        html.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td data-v=\"{}\">{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&u.user),
            yes(u.password),
            yes(u.mfa),
            u.active_keys,
            last.1,
            last.0,
            u.policies_require_mfa
                .as_deref()
                .map_or("no".to_string(), |why| format!("yes: {}", escape(why))),
            yes(u.inactive)
        ));
    }
    html.push_str("</tbody></table>\n");
    html
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
