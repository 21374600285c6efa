//! The `otpauth://` URI and QR code PNG of a virtual MFA device, as AWS returns them from
//! CreateVirtualMFADevice (`QRCodePNG`).

use qrcode::{Color, EcLevel, QrCode};
use thiserror::Error;

/// Pixels per QR module in the PNG.
pub const MODULE_PIXELS: usize = 6;
/// Light modules around the code (the quiet zone the QR standard asks for).
pub const QUIET_ZONE_MODULES: usize = 4;

/// Why a QR code PNG could not be made.
#[derive(Debug, Error)]
pub enum QrError {
    /// The URI does not fit in a QR code.
    #[error("text is too long for a qr code")]
    TooLong,
    /// PNG encoding failed.
    #[error("cannot encode qr code as png: {0}")]
    Png(String),
}

/// Percent-encodes everything but RFC 3986 unreserved characters (`A-Za-z0-9-._~`), so
/// `@`, `:`, `/`, `?`, `#`, `%` and spaces inside a name cannot change the URI's structure.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String`, as AWS
/// documents for `QRCodePNG`; `account_name` is the user name if set, else the account id.
///
/// The device and account names are percent-encoded (an `@` inside a name becomes `%40`,
/// so the separating `@` stays unambiguous); the seed is used as given (Base32 needs no
/// encoding, anything else is percent-encoded).
pub fn otpauth_uri(device_name: &str, account_name: &str, base32_seed: &str) -> String {
    format!(
        "otpauth://totp/{}@{}?secret={}",
        percent_encode(device_name),
        percent_encode(account_name),
        percent_encode(base32_seed)
    )
}

/// A PNG (8-bit greyscale) of `uri` as a QR code, error correction level M, 6 pixels per
/// module and a 4-module quiet zone.
pub fn qr_png(uri: &str) -> Result<Vec<u8>, QrError> {
    let code = QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M)
        .map_err(|_| QrError::TooLong)?;
    let modules = code.width();
    let colors = code.to_colors();
    let side_modules = modules + 2 * QUIET_ZONE_MODULES;
    let side = side_modules * MODULE_PIXELS;
    let mut pixels = vec![255u8; side * side];
    for (index, color) in colors.iter().enumerate() {
        if *color != Color::Dark {
            continue;
        }
        let x0 = (index % modules + QUIET_ZONE_MODULES) * MODULE_PIXELS;
        let y0 = (index / modules + QUIET_ZONE_MODULES) * MODULE_PIXELS;
        for y in y0..y0 + MODULE_PIXELS {
            let row = y * side;
            if let Some(run) = pixels.get_mut(row + x0..row + x0 + MODULE_PIXELS) {
                run.fill(0);
            }
        }
    }
    let side = u32::try_from(side).map_err(|_| QrError::TooLong)?;
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, side, side);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let png_error = |e: png::EncodingError| QrError::Png(e.to_string());
    let mut writer = encoder.write_header().map_err(png_error)?;
    writer.write_image_data(&pixels).map_err(png_error)?;
    writer.finish().map_err(png_error)?;
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn uri_matches_aws_shape() {
        assert_eq!(
            otpauth_uri("alice", "alice", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/alice@alice?secret=JBSWY3DPEHPK3PXP"
        );
        assert_eq!(
            otpauth_uri("a@b,c=d+e", "123456789012", "JBSWY3DPEHPK3PXP"),
            "otpauth://totp/a%40b%2Cc%3Dd%2Be@123456789012?secret=JBSWY3DPEHPK3PXP"
        );
        assert_eq!(
            otpauth_uri("x y/é", "us?er#", "AB"),
            "otpauth://totp/x%20y%2F%C3%A9@us%3Fer%23?secret=AB"
        );
    }

    fn decode_png(png_bytes: &[u8]) -> String {
        let decoder = png::Decoder::new(Cursor::new(png_bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0u8; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, png::ColorType::Grayscale);
        let (w, h) = (info.width as usize, info.height as usize);
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * info.line_size + x]);
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        grids[0].decode().unwrap().1
    }

    #[test]
    fn png_round_trip() {
        let seed = super::super::base32::encode(&[0x5a; 40]);
        let uri = otpauth_uri("alice-phone", "alice", &seed);
        let png_bytes = qr_png(&uri).unwrap();
        assert!(png_bytes.starts_with(b"\x89PNG\r\n\x1a\n"));
        assert_eq!(decode_png(&png_bytes), uri);
    }

    #[test]
    fn too_long() {
        assert!(matches!(qr_png(&"x".repeat(5000)), Err(QrError::TooLong)));
    }
}
