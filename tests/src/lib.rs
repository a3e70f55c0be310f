//! The harness for stationdesk's end-to-end tests.
//!
//! [`App::launch`] starts `tauri-driver` on free loopback ports, which starts WebKitWebDriver,
//! which starts the real `stationdesk` binary in a WebKit window, with a data directory of its
//! own so each test starts from an empty shop. The tests need a display and a session bus:
//! `scripts/test.sh` runs them under `xvfb-run` and `dbus-run-session` with `NO_AT_BRIDGE=1`.

pub mod accessibility;
pub mod certs;
pub mod clock;
pub mod mail;
pub mod server;

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;
use thirtyfour::Capabilities;

pub use thirtyfour;

/// The contacts the test shops keep: a vendor hotline and their admin.
pub fn shop_contacts() -> stationdesk_core::domain::routing::ShopContacts {
    stationdesk_core::domain::routing::ShopContacts {
        hotline: "+49 30 1234567".into(),
        admin_name: "Frau Weber".into(),
        admin_phone: "+49 171 7654321".into(),
    }
}

/// The till a test shop starts with: `Kasse 1` at the entrance, the shop's contacts, a contract
/// on `plan` from `start` (today when `None`) if a plan is given, and this PC its till.
pub fn till_covered_by(
    plan: Option<&'static str>,
    start: Option<chrono::NaiveDate>,
) -> impl FnOnce(&mut stationdesk_core::store::Store) {
    move |store| {
        store.add_station("Kasse 1", "Eingang").unwrap();
        store.set_shop_contacts(&shop_contacts()).unwrap();
        if let Some(plan) = plan {
            let plan = stationdesk_core::domain::plans::Catalog::builtin()
                .snapshot(plan)
                .unwrap();
            let start = start.unwrap_or_else(|| store.today().unwrap());
            store
                .create_contract(plan, start, &["Kasse 1".into()])
                .unwrap();
        }
        store.set_till_station(Some("Kasse 1")).unwrap();
    }
}

/// A fault reported by phone for a station, as a test shop's history holds it.
pub fn phoned_in_fault(
    station: &str,
    reporter: &str,
    title: &str,
) -> stationdesk_core::store::NewTicket {
    use stationdesk_core::domain::tickets::{Category, Channel, Priority, RequestDetails};
    stationdesk_core::store::NewTicket {
        station: Some(station.into()),
        reporter: reporter.into(),
        title: title.into(),
        category: Category::Fault,
        priority: Priority::High,
        channel: Channel::Phone,
        request: RequestDetails::default(),
        cc: Vec::new(),
    }
}

/// Runs blocking work (the server's operator commands, a till's sync) off the test's async
/// runtime, whose thread drives the window.
pub fn off_runtime<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(work).join().unwrap()
}

/// Long enough for a cold WebKit start on a loaded 2-core CI machine.
const STARTUP: Duration = Duration::from_secs(60);
const DATABASE: &str = "stationdesk.sqlite";
/// How long a UI condition may take to come true: generous, since a 2-core CI machine building
/// and testing at once can stall a window for many seconds (one CI run took eight times as long
/// as a quiet machine for the same test). It is longer than the client's 30 s request timeout,
/// so a server request that hangs ends in a message on screen instead of a silent wait.
pub const PATIENCE: Duration = Duration::from_secs(60);

fn workspace_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace_dir().join("target"), PathBuf::from)
}

/// Where the run's screenshots go, for a reviewer to look at.
pub fn screenshot_dir() -> PathBuf {
    target_dir().join("screenshots")
}

/// A binary of the workspace: `env` names it, or it is the debug build of `package`.
pub fn built_binary(name: &str, env: &str, package: &str) -> PathBuf {
    let path =
        std::env::var_os(env).map_or_else(|| target_dir().join("debug").join(name), PathBuf::from);
    assert!(
        path.exists(),
        "no {name} at {}; build it first with `cargo build -p {package}`",
        path.display()
    );
    path
}

fn app_binary() -> PathBuf {
    built_binary("stationdesk", "STATIONDESK_APP", "stationdesk")
}

/// `stationdesk-cli`, for tests that run the client as a process of its own.
pub fn cli_binary() -> PathBuf {
    built_binary("stationdesk-cli", "STATIONDESK_CLI", "stationdesk-core")
}

/// A port nothing listens on now, for a server of the test to take.
pub(crate) fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct App {
    pub driver: WebDriver,
    tauri_driver: Child,
    data_dir: tempfile::TempDir,
}

impl App {
    pub async fn launch() -> App {
        App::launch_with(|_| {}).await
    }

    /// Starts the app on a database that `seed` filled first, as an admin or an earlier run
    /// would have left it.
    pub async fn launch_with(seed: impl FnOnce(&mut stationdesk_core::store::Store)) -> App {
        App::launch_with_env(seed, &[]).await
    }

    /// As [`App::launch_with`], with environment variables for the app (PATH with a fake remote
    /// tool first, say).
    pub async fn launch_with_env(
        seed: impl FnOnce(&mut stationdesk_core::store::Store),
        env: &[(&str, std::ffi::OsString)],
    ) -> App {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "no DISPLAY: run the end-to-end tests through scripts/test.sh (xvfb-run)"
        );
        let data_dir = tempfile::tempdir().unwrap();
        seed(&mut stationdesk_core::store::Store::open(&data_dir.path().join(DATABASE)).unwrap());
        let port = free_port();
        let native_port = free_port();
        let tauri_driver = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .env(stationdesk_core::paths::DATA_DIR_ENV, data_dir.path())
            .env("NO_AT_BRIDGE", "1")
            .envs(env.iter().map(|(name, value)| (name, value)))
            .stdout(Stdio::null())
            .spawn()
            .expect(
                "tauri-driver is installed (cargo install tauri-driver --version 2.1.0 --locked)",
            );
        let mut app = AppGuard(Some(tauri_driver));

        let deadline = Instant::now() + STARTUP;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on port {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut caps = Capabilities::new();
        caps.set("browserName", "wry").unwrap();
        caps.set(
            "tauri:options",
            serde_json::json!({ "application": app_binary() }),
        )
        .unwrap();
        // tauri-driver listens before its WebKitWebDriver does; until that one is up, creating
        // a session fails at once, so it is tried again until the start-up time is used up.
        let driver = loop {
            match WebDriver::new(format!("http://127.0.0.1:{port}"), caps.clone()).await {
                Ok(driver) => break driver,
                Err(e) if Instant::now() < deadline => {
                    eprintln!("no WebDriver session yet ({e}); trying again");
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
                Err(e) => panic!("no WebDriver session with the app: {e}"),
            }
        };
        let app = App {
            driver,
            tauri_driver: app.0.take().unwrap(),
            data_dir,
        };
        let ready = app
            .driver
            .query(By::Css("body[data-ready='true']"))
            .wait(STARTUP, Duration::from_millis(100))
            .first()
            .await;
        if let Err(error) = ready {
            // What the window showed instead is the first thing to look at.
            app.screenshot("launch-failed").await;
            let text = app.texts("body").await;
            panic!("the app's first screen did not appear ({error}); it showed: {text:?}");
        }
        app
    }

    /// The app's own database, for checks that look behind the window.
    pub fn database(&self) -> PathBuf {
        self.data_dir.path().join(DATABASE)
    }

    pub async fn find(&self, css: &str) -> WebElement {
        self.driver
            .query(By::Css(css))
            .wait(PATIENCE, Duration::from_millis(100))
            .first()
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
    }

    pub async fn all(&self, css: &str) -> Vec<WebElement> {
        self.driver.find_all(By::Css(css)).await.unwrap()
    }

    /// The rendered text of every element matching `css`, read in one go inside the page, so a
    /// re-render half-way cannot mix old and new elements.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        self.read_all(css, "element.innerText.trim()").await
    }

    /// The attribute `name` of every element matching `css`, read in one go.
    pub async fn attrs(&self, css: &str, name: &str) -> Vec<String> {
        self.read_all(css, &format!("element.getAttribute({name:?}) ?? ''"))
            .await
    }

    async fn read_all(&self, css: &str, expression: &str) -> Vec<String> {
        let script = format!(
            "return [...document.querySelectorAll(arguments[0])].map((element) => {expression});"
        );
        self.driver
            .execute(script, vec![serde_json::json!(css)])
            .await
            .unwrap_or_else(|e| panic!("reading {css}: {e}"))
            .convert()
            .unwrap()
    }

    /// The value of a JavaScript expression in the window (`return …;`), for what the DOM does
    /// not say by itself: a field's validity, an element's size, the document order.
    pub async fn evaluate<T: serde::de::DeserializeOwned>(&self, script: &str) -> T {
        self.driver
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("evaluating {script}: {e}"))
            .convert()
            .unwrap_or_else(|e| panic!("the result of {script}: {e}"))
    }

    pub async fn click(&self, css: &str) {
        // A background sync may redraw the page between finding the button and pressing it; a
        // user presses the one on screen, so the button is found again then. WebKit refuses a
        // stale element before it dispatches anything, so the press happens once.
        for _ in 0..5 {
            match self.try_click(css).await {
                Err(error) if error.to_string().contains("stale element") => continue,
                outcome => return outcome.unwrap_or_else(|e| panic!("clicking {css}: {e}")),
            }
        }
        panic!("{css} was redrawn under every attempt to click it");
    }

    /// Closes the messages in the window's corner, as a user does when one covers what they
    /// want to press at the foot of a page.
    pub async fn dismiss_messages(&self) {
        for _ in 0..10 {
            if self.texts("#toasts .toast").await.is_empty() {
                return;
            }
            // A message may go by itself between looking and pressing: then look again.
            let _ = self.try_click("#toasts .toast button").await;
        }
    }

    async fn try_click(&self, css: &str) -> WebDriverResult<()> {
        let element = self.find(css).await;
        // WebDriver scrolls a button only just into view, where a notice in the window's
        // corner may cover it; a user would have it in the middle of the screen.
        self.driver
            .execute(
                "arguments[0].scrollIntoView({ block: 'center' });",
                vec![element.to_json()?],
            )
            .await?;
        element.click().await
    }

    /// Clicks something that re-renders the view (a language, a page) and waits until the new
    /// view is on screen, so nothing is read from or typed into the old one.
    pub async fn click_and_wait_for_render(&self, css: &str) {
        let before = self.attrs("main", "data-render").await;
        self.click(css).await;
        // A background redraw begun before the click may finish first and change the number:
        // the page counts as redrawn once nothing is being drawn any more.
        self.eventually(
            &format!("the view re-renders after clicking {css}"),
            || async {
                self.attrs("main", "data-render").await != before
                    && self.attrs("main", "aria-busy").await == [""]
            },
        )
        .await;
    }

    /// Chooses `value` in a `<select>` as a user would, including the events the page listens to.
    pub async fn select(&self, css: &str, value: &str) {
        self.find(css).await;
        self.driver
            .execute(
                "const select = document.querySelector(arguments[0]);
                 select.value = arguments[1];
                 select.dispatchEvent(new Event('input', { bubbles: true }));
                 select.dispatchEvent(new Event('change', { bubbles: true }));
                 return select.value;",
                vec![serde_json::json!(css), serde_json::json!(value)],
            )
            .await
            .unwrap_or_else(|e| panic!("choosing {value} in {css}: {e}"));
    }

    /// Fills in Settings' sign-in form with `email` and the tests' password.
    pub async fn fill_sign_in(&self, server: &str, email: &str) {
        self.type_into("#signin-server", server).await;
        self.type_into("#signin-email", email).await;
        self.type_into("#signin-password", server::PASSWORD).await;
    }

    /// Opens a page from the sidebar and waits until that page is on screen. A new render
    /// number alone is not enough: a background redraw of the page before it can land between
    /// reading the number and the click (the access E2E then read the Access page's rows from
    /// Settings).
    pub async fn open(&self, view: &str) {
        let before = self.page_shown().await;
        self.click(&format!("#nav-{view}")).await;
        self.eventually(&format!("the {view} page is on screen"), || async {
            let now = self.page_shown().await;
            now.0 == view && now.1 != before.1
        })
        .await;
    }

    /// The page on screen and its render number, read in one go.
    async fn page_shown(&self) -> (String, String) {
        self.evaluate(
            "const main = document.getElementById('main'); \
             return [main.dataset.view ?? '', main.dataset.render ?? ''];",
        )
        .await
    }

    /// Opens Settings and signs in as `email` with the tests' password; returns once the window
    /// has taken in the account (its role in the sidebar), so the sign-in's own redraw cannot
    /// replace a page the test opens next.
    pub async fn sign_in(&self, server: &str, email: &str) {
        self.open("settings").await;
        self.fill_sign_in(server, email).await;
        self.submit_sign_in(email).await;
    }

    /// Sends the sign-in form as it is filled in and waits until the window is signed in as
    /// `email`.
    pub async fn submit_sign_in(&self, email: &str) {
        self.click("#signin-submit").await;
        self.wait_until_signed_in_as(email).await;
    }

    /// Signs out in Settings and waits until the window has taken it in.
    pub async fn sign_out(&self) {
        self.open("settings").await;
        self.click("#sign-out").await;
        self.wait_until_signed_in_as("").await;
    }

    /// Waits until the window has taken in a sign-in (or set-up) as `email`, or a sign-out
    /// (`""`): the sidebar offers that role's pages and the page drawn for it is on screen.
    pub async fn wait_until_signed_in_as(&self, email: &str) {
        self.eventually(&format!("the window is signed in as {email:?}"), || async {
            self.attrs("body", "data-signed-in").await == [email]
        })
        .await;
    }

    pub async fn type_into(&self, css: &str, text: &str) {
        // A background sync may render the screen anew between finding the field and typing
        // into it (it does not while a field has the focus): then the field is found again.
        for _ in 0..3 {
            let input = self.find(css).await;
            let typed = match input.clear().await {
                // WebKitWebDriver refuses to type an empty string; a cleared field is what was
                // meant.
                Ok(()) if text.is_empty() => Ok(()),
                Ok(()) => input.send_keys(text).await,
                Err(e) => Err(e),
            };
            match typed.map_err(|e| e.into_inner()) {
                Ok(()) => return,
                Err(thirtyfour::error::WebDriverErrorInner::StaleElementReference(_)) => continue,
                Err(e) => panic!("typing into {css}: {e}"),
            }
        }
        panic!("{css} was rendered anew three times while typing into it");
    }

    /// Waits until `check` holds, re-reading the page; panics with `what` when it never does.
    pub async fn eventually<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        let deadline = Instant::now() + PATIENCE;
        while !check().await {
            if Instant::now() >= deadline {
                self.give_up(what).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Fails the test with what a reviewer needs to see why: the screen as it was (a
    /// screenshot named after the thread, that is the test) and the messages it showed.
    async fn give_up(&self, what: &str) -> ! {
        let test = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .replace("::", "-");
        self.screenshot(&format!("failed-{test}")).await;
        let toasts = self.texts("#toasts .toast > span:first-child").await;
        let (page, render) = self.page_shown().await;
        panic!("never true: {what}; messages on screen: {toasts:?}; page on screen: {page:?} (render {render})");
    }

    /// Whether the first element matching `css` is there and its text contains `part`.
    pub async fn first_contains(&self, css: &str, part: &str) -> bool {
        self.texts(css)
            .await
            .first()
            .is_some_and(|text| text.contains(part))
    }

    /// The rendered text of the first element matching `css`, once there is one.
    pub async fn text(&self, css: &str) -> String {
        self.find(css).await;
        self.texts(css).await.into_iter().next().unwrap_or_default()
    }

    pub async fn screenshot(&self, name: &str) {
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap();
        // WebKit's capture is the last frame it painted, which on a loaded machine can still be
        // the one before a change the DOM already holds (a till shot without its press): two
        // animation frames later the change is on screen.
        self.driver
            .execute_async(
                "const done = arguments[0]; \
                 requestAnimationFrame(() => requestAnimationFrame(() => done()));",
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("waiting for a painted frame: {e}"));
        self.driver
            .screenshot(&dir.join(format!("{name}.png")))
            .await
            .unwrap();
    }

    pub async fn quit(mut self) {
        let driver = self.driver.clone();
        driver.quit().await.expect("the session ends");
        terminate(&mut self.tauri_driver);
    }
}

impl Drop for App {
    fn drop(&mut self) {
        terminate(&mut self.tauri_driver);
    }
}

/// A stand-in for a remote tool that cannot be installed here (TeamViewer, RustDesk, AnyDesk):
/// an executable that writes its pid and arguments to files beside itself and then stays
/// running, as the real tool would during a session.
pub struct FakeTool {
    dir: tempfile::TempDir,
    name: &'static str,
}

impl FakeTool {
    pub fn new(name: &'static str) -> FakeTool {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join(name);
        let record = program.display();
        std::fs::write(
            &program,
            format!(
                "#!/bin/sh\n\
                 echo $$ > '{record}.pid'\n\
                 for arg in \"$@\"; do printf '%s\\n' \"$arg\"; done > '{record}.argv.tmp'\n\
                 mv '{record}.argv.tmp' '{record}.argv'\n\
                 exec sleep 600\n"
            ),
        )
        .unwrap();
        std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
        FakeTool { dir, name }
    }

    /// PATH with this tool first.
    pub fn path_var(&self) -> std::ffi::OsString {
        let mut path = self.dir.path().as_os_str().to_owned();
        path.push(":");
        path.push(std::env::var_os("PATH").unwrap_or_default());
        path
    }

    /// The arguments it was started with, once it has been started (waits up to PATIENCE).
    pub async fn started_with(&self) -> Vec<String> {
        let argv = self.dir.path().join(format!("{}.argv", self.name));
        let deadline = Instant::now() + PATIENCE;
        while !argv.exists() {
            assert!(Instant::now() < deadline, "{} was not started", self.name);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let text = std::fs::read_to_string(argv).unwrap();
        text.lines().map(str::to_owned).collect()
    }

    /// Whether the started tool is still running.
    pub fn running(&self) -> bool {
        self.pid().is_some_and(|pid| {
            // SAFETY: signal 0 only checks that the process exists.
            unsafe { libc::kill(pid, 0) == 0 }
        })
    }

    /// Ends the tool as its user closing it would.
    pub fn stop(&self) {
        if let Some(pid) = self.pid() {
            // SAFETY: kill(2) on the fake tool's own pid, which it wrote itself.
            unsafe { libc::kill(pid, libc::SIGTERM) };
        }
    }

    fn pid(&self) -> Option<libc::pid_t> {
        let text =
            std::fs::read_to_string(self.dir.path().join(format!("{}.pid", self.name))).ok()?;
        text.trim().parse().ok()
    }
}

impl Drop for FakeTool {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Ends tauri-driver if the launch fails half-way.
struct AppGuard(Option<Child>);

impl Drop for AppGuard {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            terminate(child);
        }
    }
}

/// Ends a child process with SIGTERM (SIGKILL would leave its own children running) and reaps it.
pub fn terminate(child: &mut Child) {
    if let Ok(None) = child.try_wait() {
        let pid = libc::pid_t::try_from(child.id()).expect("pid fits");
        // SAFETY: kill(2) on the pid of our own child, which has not been reaped yet.
        unsafe { libc::kill(pid, libc::SIGTERM) };
        let _ = child.wait();
    }
}
