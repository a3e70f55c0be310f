//! Certificates made in the test (rcgen): a vendor's own authority and server certificates
//! signed by it, for the servers' TLS.

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair,
    KeyUsagePurpose,
};

pub struct Authority(CertifiedIssuer<'static, KeyPair>);

impl Authority {
    pub fn new(name: &str) -> Authority {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        Authority(CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap())
    }

    pub fn pem(&self) -> String {
        self.0.pem()
    }

    /// A server certificate for `names`, ending on `not_after` when given, written with its key
    /// into `dir`: the certificate chain's file and the key's.
    pub fn certificate_files(
        &self,
        dir: &std::path::Path,
        names: &[&str],
        not_after: Option<(i32, u8, u8)>,
    ) -> (std::path::PathBuf, std::path::PathBuf) {
        let mut params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .unwrap();
        if let Some((year, month, day)) = not_after {
            params.not_before = date_time_ymd(year - 1, month, day);
            params.not_after = date_time_ymd(year, month, day);
        }
        let key = KeyPair::generate().unwrap();
        let cert = params.signed_by(&key, &self.0).unwrap();
        let (cert_path, key_path) = (dir.join("server.pem"), dir.join("server.key"));
        std::fs::write(&cert_path, format!("{}{}", cert.pem(), self.pem())).unwrap();
        std::fs::write(&key_path, key.serialize_pem()).unwrap();
        (cert_path, key_path)
    }

    /// [`Authority::certificate_files`] as the `serve` options that use them.
    pub fn server_files(
        &self,
        dir: &std::path::Path,
        names: &[&str],
        not_after: Option<(i32, u8, u8)>,
    ) -> Vec<String> {
        let (cert, key) = self.certificate_files(dir, names, not_after);
        vec![
            "--tls-cert".into(),
            cert.display().to_string(),
            "--tls-key".into(),
            key.display().to_string(),
        ]
    }
}
