//! The console's one stylesheet, compiled into the binary: plain, readable from a phone's
//! width (390 px) to a desktop's.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#16191f;background:#f2f3f3}
header.top{display:flex;flex-wrap:wrap;gap:.5rem 1.25rem;align-items:center;padding:.6rem 1rem;background:#232f3e;color:#fff}
header.top a{color:#fff;text-decoration:none}
header.top a:hover{text-decoration:underline}
.brand{font-weight:700;font-size:1.15rem}
header nav{display:flex;flex-wrap:wrap;gap:1rem;flex:1}
.who{display:flex;gap:.75rem;align-items:center}
.who form{margin:0}
button.link{background:none;border:1px solid #fff;color:#fff;padding:.2rem .6rem;border-radius:3px;cursor:pointer;font:inherit}
main{max-width:60rem;margin:1rem auto;padding:1rem 1.25rem;background:#fff;border-radius:4px}
h1{font-size:1.5rem;margin:.25rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
.field{margin:0 0 1rem}
label{display:block;font-weight:600;margin-bottom:.25rem}
input[type=text],input[type=password],input[type=datetime-local],select{width:100%;max-width:26rem;padding:.5rem;font:inherit;border:1px solid #879596;border-radius:3px}
textarea{width:100%;padding:.5rem;font:14px/1.4 ui-monospace,Menlo,Consolas,monospace;border:1px solid #879596;border-radius:3px}
pre{overflow-x:auto;background:#f2f3f3;padding:.5rem}
button,.button{display:inline-block;background:#ec7211;color:#fff;border:0;border-radius:3px;padding:.5rem 1rem;font:inherit;font-weight:600;cursor:pointer;text-decoration:none}
button.secondary{background:#fff;color:#16191f;border:1px solid #879596}
form.inline{display:inline;margin:0}
.error,.denied{border-left:4px solid #d13212;background:#fdf3f1;padding:.75rem 1rem;margin:0 0 1rem}
.denied h2{margin-top:0;font-size:1.1rem}
.notice{border-left:4px solid #1d8102;background:#f2f8f0;padding:.75rem 1rem}
.banner{border-bottom:1px solid #e0ae00;background:#fff8e1;padding:.6rem 1rem}
.remedy{font-weight:600}
table{border-collapse:collapse;width:100%;display:block;overflow-x:auto}
th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #eaeded;vertical-align:top}
code,.secret{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.secret{display:block;font-size:1.05rem;background:#f2f3f3;padding:.5rem;max-width:26rem}
.qr img{width:220px;height:220px;image-rendering:pixelated;border:1px solid #eaeded}
fieldset.choice{border:0;padding:0;margin:0 0 1rem}
fieldset.choice legend{font-weight:600;margin-bottom:.25rem}
label.option{display:inline-block;font-weight:400;margin-right:1.5rem}
small{display:block;color:#545b64}
ul.rules{margin:.25rem 0 1rem}
details{margin-top:.5rem}
nav.pages{margin-top:1rem}
@media (max-width:480px){main{margin:0;border-radius:0;padding:1rem}h1{font-size:1.3rem}}
"#;

/// `GET /console/assets/console.css`.
pub(crate) async fn css() -> Response {
    let mut response = CSS.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}
