//! HTTPS on the server's own socket, with certificates made here (rcgen): a chain from the
//! vendor's CA works once the client is given that CA; a certificate for another host name, an
//! expired one and one from an unknown CA are each refused with a message that says which, and
//! nothing is sent; plain http is refused unless the server is on this computer.

use rcgen::KeyPair;
use stationdesk_core::store::Store;
use stationdesk_core::sync::{self, SyncError};

use crate::common::TestServer;
use stationdesk_e2e::certs::Authority;

/// A server on HTTPS with the certificate `options` name, addressed as `localhost`.
fn https_server(options: &[String]) -> (TestServer, String) {
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    let server = TestServer::start_with(&options);
    assert!(
        server.base.starts_with("https://127.0.0.1:"),
        "{}",
        server.base
    );
    let base = server.base.replace("127.0.0.1", "localhost");
    (server, base)
}

fn enrol_with(server: &TestServer, base: &str, ca: Option<&str>) -> Result<Store, SyncError> {
    let code = server.code(&server.shop("Laden"));
    let dir = tempfile::tempdir().unwrap().keep();
    let mut store = Store::open(&dir.join("till.sqlite")).unwrap();
    if let Some(ca) = ca {
        sync::trust_vendor_ca(&mut store, ca)?;
    }
    sync::enrol(&mut store, base, &code, "Kasse 1").map(|_| store)
}

fn untrusted_because(outcome: Result<Store, SyncError>) -> String {
    match outcome {
        Err(SyncError::Untrusted { problem, .. }) => problem,
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(_) => panic!("the connection was trusted"),
    }
}

#[test]
fn a_chain_from_the_vendors_ca_works_and_the_code_survives_a_refused_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Authority::new("Kassenservice Nord CA");
    let (server, base) = https_server(&vendor.server_files(dir.path(), &["localhost"], None));

    // Without the vendor's CA the system's roots do not know the server.
    let code = server.code(&server.shop("Erster Laden"));
    let mut store = Store::open(&dir.path().join("till.sqlite")).unwrap();
    let refused = sync::enrol(&mut store, &base, &code, "Kasse 1").unwrap_err();
    assert!(
        matches!(&refused, SyncError::Untrusted { problem, .. } if problem.contains("authority this computer does not trust")),
        "{refused}"
    );
    assert!(refused.to_string().contains("nothing was sent"));

    // With it, the same one-time code still works: nothing reached the server before.
    sync::trust_vendor_ca(&mut store, &vendor.pem()).unwrap();
    sync::enrol(&mut store, &base, &code, "Kasse 1").unwrap();
    stationdesk_core::emergency::press(
        &mut store,
        &Default::default(),
        "Kasse 1",
        chrono::Utc::now(),
    )
    .unwrap();
    let synced = sync::sync(&mut store).unwrap();
    assert!(synced.pushed.accepted >= 2, "{synced:?}");
    crate::sync::forget(&store);
}

#[test]
fn a_wrong_host_name_an_expired_certificate_and_an_unknown_ca_are_each_refused_by_name() {
    let vendor = Authority::new("Kassenservice Nord CA");
    let stranger = Authority::new("Somebody Else CA");

    let dir = tempfile::tempdir().unwrap();
    let (server, base) =
        https_server(&vendor.server_files(dir.path(), &["support.other.example"], None));
    let problem = untrusted_because(enrol_with(&server, &base, Some(&vendor.pem())));
    assert!(problem.contains("another host name"), "{problem}");
    drop(server);

    let dir = tempfile::tempdir().unwrap();
    let (server, base) =
        https_server(&vendor.server_files(dir.path(), &["localhost"], Some((2024, 1, 31))));
    let problem = untrusted_because(enrol_with(&server, &base, Some(&vendor.pem())));
    assert!(problem.contains("expired"), "{problem}");
    drop(server);

    let dir = tempfile::tempdir().unwrap();
    let (server, base) = https_server(&stranger.server_files(dir.path(), &["localhost"], None));
    let problem = untrusted_because(enrol_with(&server, &base, Some(&vendor.pem())));
    assert!(problem.contains("does not trust"), "{problem}");
}

#[test]
fn plain_http_is_refused_unless_the_server_is_on_this_computer() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("till.sqlite")).unwrap();
    for address in ["http://support.example.com", "http://192.0.2.10:8750"] {
        let refused = sync::enrol(&mut store, address, "code", "Kasse 1").unwrap_err();
        assert!(
            matches!(refused, SyncError::NotEncrypted(_)),
            "{address}: {refused}"
        );
        assert!(refused.to_string().contains("https://"));
    }
    let refused = sync::enrol(&mut store, "support.example.com", "code", "Kasse 1").unwrap_err();
    assert!(matches!(refused, SyncError::BadAddress { .. }), "{refused}");
    let refused = sync::trust_vendor_ca(&mut store, "not a certificate").unwrap_err();
    assert!(
        matches!(refused, SyncError::BadCertificateFile(_)),
        "{refused}"
    );

    // The one-computer set-up keeps plain http on loopback.
    let server = TestServer::start();
    let base = server.base.replace("127.0.0.1", "localhost");
    let code = server.code(&server.shop("Laden"));
    sync::enrol(&mut store, &base, &code, "Kasse 1").unwrap();
    crate::sync::forget(&store);
}

#[test]
fn the_server_refuses_to_start_with_a_key_that_does_not_fit_its_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let vendor = Authority::new("Kassenservice Nord CA");
    let options = vendor.server_files(dir.path(), &["localhost"], None);
    std::fs::write(&options[3], KeyPair::generate().unwrap().serialize_pem()).unwrap();
    let output = std::process::Command::new(stationdesk_e2e::server::server_binary())
        .arg("--db")
        .arg(dir.path().join("server.sqlite"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(&options)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("does not go with the certificate"), "{said}");
}
