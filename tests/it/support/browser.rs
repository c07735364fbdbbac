//! A headless Chromium, driven through chromedriver with fantoccini, for
//! end-to-end tests of the hosted UI.
//!
//! [`Browser::start`] launches a private chromedriver (and through it a
//! Chromium with a throw-away profile); the helpers panic with a clear
//! message when something is missing, so tests can stay short.
//! The binaries default to Debian's `/usr/bin/chromium` and
//! `/usr/bin/chromedriver` and can be overridden with `CHROMIUM_BIN` and
//! `CHROMEDRIVER_BIN`.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

/// How long to wait for chromedriver to accept connections.
const DRIVER_START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for an element to appear.
const ELEMENT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long [`Browser::submit`] waits for the next page.
const SUBMIT_TIMEOUT: Duration = Duration::from_secs(15);
/// Set on `window` before a submit; a new document does not have it.
const MARKER: &str = "__cognateSubmitMarker";

/// A Chromium session. Use [`Browser::close`] at the end of a test; dropping
/// the value also ends the session and stops chromedriver.
pub struct Browser {
    /// The underlying WebDriver client, for anything the helpers don't cover.
    pub client: Client,
    driver: Option<Driver>,
    session_id: Option<String>,
    /// The Chromium profile directory; removed after the browser is gone.
    _profile: tempfile::TempDir,
}

/// A running chromedriver; killed when dropped.
struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("browser: cannot pick a free port on 127.0.0.1")
        .port()
}

/// Starts chromedriver on a free port and waits until it accepts
/// connections.
async fn spawn_driver(driver_bin: &str) -> Driver {
    let mut last_problem = String::new();
    // A port picked this way can be grabbed by someone else before
    // chromedriver binds it, so try a few.
    for _ in 0..3 {
        let port = free_port();
        let child = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "browser: cannot run chromedriver at {driver_bin:?} ({e}); \
                     install Debian's chromium-driver or set CHROMEDRIVER_BIN"
                )
            });
        let mut driver = Driver { child, port };
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let deadline = Instant::now() + DRIVER_START_TIMEOUT;
        loop {
            if tokio::net::TcpStream::connect(address).await.is_ok() {
                return driver;
            }
            if let Ok(Some(status)) = driver.child.try_wait() {
                last_problem = format!("chromedriver exited early with {status}");
                break;
            }
            if Instant::now() > deadline {
                last_problem = format!(
                    "chromedriver did not accept connections on port {port} within {DRIVER_START_TIMEOUT:?}"
                );
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    panic!("browser: cannot start chromedriver: {last_problem}");
}

/// Ends a WebDriver session with a plain blocking HTTP request; used from
/// `Drop`, where no async code can run.
fn delete_session(port: u16, session_id: &str) {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_secs(2)) else {
        return;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
    let request = format!(
        "DELETE /session/{session_id} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        // Wait for the answer: chromedriver replies once Chromium has quit.
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
    }
}

impl Browser {
    /// Launches chromedriver and opens a headless Chromium session.
    pub async fn start() -> Browser {
        let chromium_bin =
            std::env::var("CHROMIUM_BIN").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
        let driver_bin = std::env::var("CHROMEDRIVER_BIN")
            .unwrap_or_else(|_| "/usr/bin/chromedriver".to_owned());
        let profile = tempfile::Builder::new()
            .prefix("cognate-chromium-")
            .tempdir()
            .expect("browser: cannot create a temporary profile directory");

        // Set up the HTTP client before anything needs cleaning up. Only
        // plain HTTP to the local chromedriver is used, but fantoccini builds
        // its connector with rustls, which needs a crypto provider: when
        // rustls is compiled with both its `ring` and `aws-lc-rs` backends,
        // a process-wide default has to be installed first.
        let mut builder = match std::panic::catch_unwind(ClientBuilder::rustls) {
            Ok(Ok(builder)) => builder,
            Ok(Err(e)) => panic!("browser: cannot set up the WebDriver HTTP client: {e}"),
            Err(_) => panic!(
                "browser: rustls has no default crypto provider (both `ring` and `aws-lc-rs` \
                 are compiled in); call \
                 `rustls::crypto::aws_lc_rs::default_provider().install_default()` \
                 before `Browser::start`"
            ),
        };

        let capabilities = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium_bin,
                "args": [
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        let serde_json::Value::Object(capabilities) = capabilities else {
            unreachable!("capabilities are a JSON object");
        };

        builder.capabilities(capabilities);

        // The guard stops chromedriver if anything below fails.
        let driver = spawn_driver(&driver_bin).await;
        let client = builder
            .connect(&format!("http://127.0.0.1:{}", driver.port))
            .await
            .unwrap_or_else(|e| {
                panic!(
                    "browser: cannot open a Chromium session with {chromium_bin:?} \
                     (set CHROMIUM_BIN to override): {e}"
                )
            });
        let session_id = client.session_id().await.ok().flatten();
        Browser {
            client,
            driver: Some(driver),
            session_id,
            _profile: profile,
        }
    }

    /// Navigates to `url` and waits for it to load. A page that fails to load
    /// (nothing listening, say) is not an error: Chromium shows its error page
    /// and [`Browser::current_url`] still reports `url`.
    pub async fn goto(&self, url: &str) {
        if let Err(e) = self.client.goto(url).await {
            if !e.to_string().contains("net::ERR_") {
                panic!("browser: cannot navigate to {url}: {e}");
            }
        }
    }

    /// Waits for the element matching `css`.
    async fn element(&self, css: &str) -> fantoccini::elements::Element {
        match self
            .client
            .wait()
            .at_most(ELEMENT_TIMEOUT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!(
                "browser: no element matches {css:?} on {} ({e})",
                self.current_url().await
            ),
        }
    }

    /// Replaces the value of the input matching `css` with `value`.
    pub async fn fill(&self, css: &str, value: &str) {
        let element = self.element(css).await;
        element
            .clear()
            .await
            .unwrap_or_else(|e| panic!("browser: cannot clear {css:?}: {e}"));
        element
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("browser: cannot type into {css:?}: {e}"));
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) {
        let element = self.element(css).await;
        if let Err(e) = element.click().await {
            // A click that starts a navigation to an unreachable address can
            // report the failed load; the error page is what tests then see.
            if !e.to_string().contains("net::ERR_") {
                panic!("browser: cannot click {css:?}: {e}");
            }
        }
    }

    /// Reads the load state of the current document: ready, still marked,
    /// and its markup. `None` while no document can run scripts.
    async fn document_state(&self) -> Option<(bool, bool, String)> {
        let script = format!(
            "return [document.readyState === 'complete', !!window.{MARKER}, \
             document.documentElement ? document.documentElement.outerHTML : ''];"
        );
        let value = self.client.execute(&script, Vec::new()).await.ok()?;
        let state = value.as_array()?;
        Some((
            state.first()?.as_bool()?,
            state.get(1)?.as_bool()?,
            state.get(2)?.as_str()?.to_owned(),
        ))
    }

    /// Clicks the button matching `css` and waits until the next page has
    /// loaded: a new document, or at least a different URL or content.
    /// A navigation that fails (such as a redirect to an application's
    /// `redirect_uri` where nothing listens) counts as loaded.
    pub async fn submit(&self, css_of_button: &str) {
        let url_before = self.current_url().await;
        let source_before = self
            .document_state()
            .await
            .map(|(_, _, source)| source)
            .unwrap_or_default();
        let _ = self
            .client
            .execute(&format!("window.{MARKER} = true;"), Vec::new())
            .await;
        self.click(css_of_button).await;

        let deadline = Instant::now() + SUBMIT_TIMEOUT;
        loop {
            let url = self
                .client
                .current_url()
                .await
                .map(|url| url.to_string())
                .unwrap_or_default();
            if let Some((complete, marked, source)) = self.document_state().await {
                if complete && (!marked || url != url_before || source != source_before) {
                    return;
                }
            }
            if Instant::now() > deadline {
                panic!(
                    "browser: clicking {css_of_button:?} on {url_before} did not lead to a \
                     loaded page within {SUBMIT_TIMEOUT:?}; now at {url}"
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The URL of the current page; for a page that failed to load, the URL
    /// that was requested.
    pub async fn current_url(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("browser: cannot read the current URL")
            .to_string()
    }

    /// The rendered text of the element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.element(css)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("browser: cannot read the text of {css:?}: {e}"))
    }

    /// The markup of the current page.
    pub async fn page_source(&self) -> String {
        self.client
            .source()
            .await
            .expect("browser: cannot read the page source")
    }

    /// Saves a PNG screenshot of the viewport to `path`, creating missing
    /// parent directories.
    pub async fn screenshot(&self, path: &Path) {
        let png = self
            .client
            .screenshot()
            .await
            .expect("browser: cannot take a screenshot");
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .unwrap_or_else(|e| panic!("browser: cannot create {}: {e}", parent.display()));
        }
        std::fs::write(path, png)
            .unwrap_or_else(|e| panic!("browser: cannot write {}: {e}", path.display()));
    }

    /// Ends the session (closing Chromium) and stops chromedriver.
    pub async fn close(mut self) {
        if self.client.clone().close().await.is_ok() {
            self.session_id = None;
        }
        // Dropping `self` now only stops chromedriver.
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let (Some(driver), Some(session_id)) = (&self.driver, self.session_id.take()) {
            delete_session(driver.port, &session_id);
        }
        // Stop chromedriver before the profile directory is removed.
        self.driver = None;
    }
}
