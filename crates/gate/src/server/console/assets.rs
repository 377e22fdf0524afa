//! The console's files, embedded in the binary at build time: plain HTML,
//! CSS and JavaScript modules from `crates/gate/console/`, served as they
//! are. Nothing is fetched at run time and nothing is built first.

/// One embedded file: its name under `/console/assets/`, its media type
/// and its bytes.
pub struct Asset {
    pub name: &'static str,
    pub content_type: &'static str,
    pub body: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";

macro_rules! asset {
    ($name:literal, $type:expr) => {
        Asset {
            name: $name,
            content_type: $type,
            body: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/console/", $name)),
        }
    };
}

/// Every file under `/console/assets/`.
pub const ASSETS: &[Asset] = &[
    asset!("style.css", "text/css; charset=utf-8"),
    asset!("app.js", JS),
    asset!("login.js", JS),
    asset!("api.js", JS),
    asset!("dom.js", JS),
    asset!("diff.js", JS),
    asset!("queue.js", JS),
    asset!("review.js", JS),
    asset!("sessions.js", JS),
    asset!("summary.js", JS),
];

/// The signed-in page: a shell the modules fill in.
pub const INDEX_HTML: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/console/index.html"));
/// The sign-in form; `<!--message-->` is where an error goes.
pub const LOGIN_HTML: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/console/login.html"));

/// The embedded file called `name`.
pub fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_is_a_module_served_as_javascript_and_never_writes_html() {
        for a in ASSETS.iter().filter(|a| a.name.ends_with(".js")) {
            assert_eq!(a.content_type, JS, "{}", a.name);
            let text = std::str::from_utf8(a.body).unwrap();
            for banned in [
                "innerHTML",
                "outerHTML",
                "insertAdjacentHTML",
                "document.write",
                "eval(",
            ] {
                assert!(!text.contains(banned), "{} uses {banned}", a.name);
            }
        }
        assert!(find("app.js").is_some() && find("../Cargo.toml").is_none());
    }

    #[test]
    fn the_pages_have_no_inline_script_or_style() {
        for page in [INDEX_HTML, LOGIN_HTML] {
            assert!(!page.contains("<script>"), "inline script");
            assert!(!page.contains("style="), "inline style");
            assert!(!page.contains("onload=") && !page.contains("onclick="));
        }
        assert!(LOGIN_HTML.contains("<!--message-->"));
    }
}
