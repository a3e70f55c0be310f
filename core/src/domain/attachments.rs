//! What may be attached to a ticket: screenshots, PDFs and plain-text logs, judged by their
//! bytes rather than their names, and not larger than support can sensibly receive.

use super::DomainError;

pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
const ACCEPTED: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
];

/// Whether attachments of this content type are taken: the types [`check_attachment`] finds.
pub fn is_accepted_type(content_type: &str) -> bool {
    content_type == "text/plain" || ACCEPTED.contains(&content_type)
}

/// The content type of an attachment, or why it is refused.
pub fn check_attachment(bytes: &[u8]) -> Result<&'static str, DomainError> {
    if bytes.is_empty() {
        return Err(DomainError::AttachmentRefused("the file is empty".into()));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(DomainError::AttachmentRefused(format!(
            "it is {:.1} MiB, more than the {} MiB a ticket takes",
            bytes.len() as f64 / 1_048_576.0,
            MAX_ATTACHMENT_BYTES / 1_048_576
        )));
    }
    match infer::get(bytes) {
        Some(kind) if ACCEPTED.contains(&kind.mime_type()) => Ok(kind.mime_type()),
        Some(kind) => Err(DomainError::AttachmentRefused(format!(
            "{} files are not accepted; attach a screenshot, a PDF or a text log",
            kind.mime_type()
        ))),
        // Logs: text without NUL bytes.
        None if std::str::from_utf8(bytes).is_ok() && !bytes.contains(&0) => Ok("text/plain"),
        None => Err(DomainError::AttachmentRefused(
            "its type is unknown; attach a screenshot, a PDF or a text log".into(),
        )),
    }
}

/// A file name as shown: no folders, no control characters, not empty.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if cleaned.trim().is_empty() {
        "attachment".to_owned()
    } else {
        cleaned.trim().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(check_attachment(PNG).unwrap(), "image/png");
        assert_eq!(check_attachment(b"%PDF-1.7\n").unwrap(), "application/pdf");
        assert_eq!(
            check_attachment("2026-11-23 09:01 TSE Fehler E-42\n".as_bytes()).unwrap(),
            "text/plain"
        );
        let exe = check_attachment(b"MZ\x90\0\x03\0\0\0\x04\0")
            .unwrap_err()
            .to_string();
        assert!(exe.contains("not accepted"), "{exe}");
        assert!(check_attachment(b"\0\x01\x02binary").is_err());
        assert!(check_attachment(b"").is_err());
        let big = vec![b'a'; MAX_ATTACHMENT_BYTES + 1];
        assert!(check_attachment(&big)
            .unwrap_err()
            .to_string()
            .contains("more than the 10 MiB"));
    }

    #[test]
    fn file_names_lose_their_folders() {
        assert_eq!(clean_file_name("C:\\Users\\kasse\\bon.png"), "bon.png");
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("log\n.txt"), "log.txt");
        assert_eq!(clean_file_name("///"), "attachment");
    }
}
