//! The browser harness: chromedriver on a free loopback port and one
//! headless Chromium session with a profile of its own, both gone when
//! dropped (a process group of their own, killed whole, so that a failed
//! test leaves no Chromium behind); and a tripwire listener that counts
//! connections made to it.

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

use crate::common;

fn find_program(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// chromedriver on a free loopback port, killed when dropped, and a
/// headless Chromium session on it with a profile of its own.
pub struct Browser {
    driver: Child,
    client: Option<Client>,
    _profile: tempfile::TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
        let missing = || -> ! {
            panic!(
                "the console's browser tests need Chromium and its WebDriver: \
                 install the Debian packages `chromium` and `chromium-driver` \
                 (apt-get install chromium chromium-driver)"
            )
        };
        let driver_bin = find_program("chromedriver").unwrap_or_else(|| missing());
        let chromium = find_program("chromium").unwrap_or_else(|| missing());
        let port = crate::common::free_port();
        let mut driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("starting chromedriver");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                stop_driver(&mut driver);
                panic!("chromedriver did not listen on port {port} within 20 s");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = json!({
            "browserName": "chrome",
            // Leave alerts open, so that the test sees one if a payload ran.
            "unhandledPromptBehavior": "ignore",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--window-size=1280,1000", "--no-first-run",
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            },
        });
        // chromedriver speaks plain HTTP on loopback: no TLS connector.
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.as_object().unwrap().clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await;
        let client = match client {
            Ok(c) => c,
            Err(e) => {
                stop_driver(&mut driver);
                panic!("Chromium did not start under chromedriver: {e}");
            }
        };
        Browser {
            driver,
            client: Some(client),
            _profile: profile,
        }
    }

    pub fn c(&self) -> &Client {
        self.client.as_ref().unwrap()
    }

    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.c()
            .wait()
            .at_most(Duration::from_secs(15))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
    }

    /// Opens a console page, `url` ending in its fragment (`…/console#/queue`),
    /// and waits until that page is drawn. Moving between pages changes
    /// only the fragment, which the console handles after `goto` returns,
    /// so without this wait the page left behind could still be read.
    pub async fn open(&self, url: &str) {
        let (_, fragment) = url.split_once('#').expect("a console URL with a #/page");
        self.c().goto(url).await.unwrap();
        self.drawn(&format!("#{fragment}")).await;
    }

    /// Waits until the console shows the page `fragment` (`#/queue`), drawn.
    /// The header (who is signed in) is filled in before any page is.
    pub async fn drawn(&self, fragment: &str) {
        self.wait_for(&format!(
            "#main > [data-page=\"{fragment}\"][aria-busy=\"false\"]"
        ))
        .await;
    }

    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css).await.text().await.unwrap()
    }

    /// Opens `page`, signs in with `token` through the form it leads to;
    /// returns the page's error, if any, once the answer has replaced the
    /// form's page (a refusal comes back on the same URL).
    pub async fn sign_in(&self, page: &str, token: &str) -> Option<String> {
        self.c().goto(page).await.unwrap();
        let form = self.c().form(Locator::Id("login-form")).await.unwrap();
        form.set_by_name("token", token).await.unwrap();
        self.c()
            .execute("window.formPage = true;", vec![])
            .await
            .unwrap();
        form.submit().await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let left = self
                .c()
                .execute(
                    "return window.formPage !== true && document.readyState === 'complete';",
                    vec![],
                )
                .await;
            if left.is_ok_and(|v| v == json!(true)) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the sign-in form's answer did not load within 15 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        match self.c().find(Locator::Css("p.error")).await {
            Ok(e) => Some(e.text().await.unwrap()),
            Err(_) => None,
        }
    }

    pub async fn screenshot(&self, name: &str) {
        let png = self.c().screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        let docs = common::workspace_root().join("docs");
        std::fs::create_dir_all(&docs).unwrap();
        std::fs::write(docs.join(name), png).unwrap();
    }

    pub async fn stop(mut self) {
        if let Some(c) = self.client.take() {
            let _ = c.close().await;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        stop_driver(&mut self.driver);
    }
}

/// Kills chromedriver's process group (it and the Chromium processes it
/// started) and reaps chromedriver.
fn stop_driver(driver: &mut Child) {
    let group = i32::try_from(driver.id())
        .ok()
        .and_then(rustix::process::Pid::from_raw);
    match group {
        Some(group) => {
            let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
        }
        None => {
            let _ = driver.kill();
        }
    }
    let _ = driver.wait();
}

/// A loopback listener that counts the connections made to it.
pub fn tripwire() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

pub fn connections(listener: &TcpListener) -> usize {
    std::iter::from_fn(|| listener.accept().ok()).count()
}
