//! Whether a training job's environment is pinned (R12): every Python
//! requirement at one exact version (`==`/`===`, no wildcard) or a direct
//! reference fixed by a hash or a commit, and a container image pinned by a
//! digest or a version tag.

/// The requirements that do not pin, each with why. `lines` is a
/// requirements file's lines (or a list's entries).
pub fn unpinned<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out = Vec::new();
    let mut joined = String::new();
    for raw in lines {
        // A trailing backslash continues the line.
        if let Some(head) = raw.trim_end().strip_suffix('\\') {
            joined.push_str(head);
            joined.push(' ');
            continue;
        }
        joined.push_str(raw);
        let line = std::mem::take(&mut joined);
        if let Some(why) = check_line(&line) {
            out.push(why);
        }
    }
    if !joined.is_empty()
        && let Some(why) = check_line(&joined)
    {
        out.push(why);
    }
    out
}

/// Options that configure pip rather than name a requirement.
const HARMLESS_OPTIONS: &[&str] = &[
    "--index-url",
    "-i",
    "--extra-index-url",
    "--find-links",
    "-f",
    "--require-hashes",
    "--only-binary",
    "--no-binary",
    "--prefer-binary",
    "--trusted-host",
    "--pre",
];

fn check_line(line: &str) -> Option<String> {
    // A comment starts at '#' that begins the line or follows whitespace.
    let line = match line
        .find(" #")
        .or_else(|| line.starts_with('#').then_some(0))
    {
        Some(i) => &line[..i],
        None => line,
    }
    .trim();
    if line.is_empty() {
        return None;
    }
    if line.starts_with('-') {
        let opt = line.split([' ', '=']).next().unwrap_or(line);
        if HARMLESS_OPTIONS.contains(&opt) {
            return None;
        }
        return Some(format!(
            "{line:?} includes requirements that cannot be checked here"
        ));
    }
    // Options after the requirement (`--hash=...`) and environment markers.
    let spec = line.split(" --").next().unwrap_or(line);
    let spec = spec.split(';').next().unwrap_or(spec).trim();
    if let Some((name, url)) = spec
        .split_once(" @ ")
        .or_else(|| spec.split_once('@').filter(|(n, _)| !n.contains("://")))
    {
        let url = url.trim();
        let pinned = url.contains("#sha256=")
            || url.contains("#sha384=")
            || url.contains("#sha512=")
            || git_commit(url);
        return (!pinned)
            .then(|| format!("{} comes from {url} with no hash or commit", name.trim()));
    }
    if spec.contains("://") || spec.starts_with('.') || spec.starts_with('/') {
        return Some(format!("{spec:?} is a URL or path with no pinned version"));
    }
    let Some(at) = spec.find("===").or_else(|| spec.find("==")) else {
        return Some(format!("{spec} has no exact version (use name==X.Y.Z)"));
    };
    let version = spec[at..].trim_start_matches('=').trim();
    if version.is_empty() || version.contains(['*', ',', '<', '>', '!', '~', ' ']) {
        return Some(format!("{spec} is not one exact version"));
    }
    None
}

/// `git+https://…@<40 hex>`: a full commit id fixes the source.
fn git_commit(url: &str) -> bool {
    url.starts_with("git+")
        && url
            .rsplit_once('@')
            .map(|(_, rev)| rev.split(['#', '&']).next().unwrap_or(rev))
            .is_some_and(|rev| rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Why a container image is not pinned, if it is not: it needs a digest or
/// a tag other than `latest`.
pub fn image_unpinned(image: &str) -> Option<String> {
    let image = image.trim();
    if let Some((_, digest)) = image.split_once('@') {
        let ok = digest
            .strip_prefix("sha256:")
            .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()));
        return (!ok).then(|| format!("image {image} has a malformed digest"));
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.rsplit_once(':') {
        Some((_, "latest")) => Some(format!("image {image} uses the mutable tag :latest")),
        Some((_, tag)) if !tag.is_empty() => None,
        _ => Some(format!("image {image:?} has no tag and no digest")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(line: &str) -> bool {
        !unpinned([line]).is_empty()
    }

    #[test]
    fn exact_versions_pin() {
        for ok in [
            "torch==2.3.1",
            "scikit-learn===1.5.0",
            "requests[socks]==2.32.3",
            "numpy==1.26.4 ; python_version >= \"3.10\"",
            "pandas==2.2.2 --hash=sha256:0123abcd",
            "# a comment",
            "",
            "--index-url https://pypi.org/simple",
            "mylib @ https://files.example/mylib-1.0.tar.gz#sha256=0123",
            "tool @ git+https://github.com/o/tool@0123456789abcdef0123456789abcdef01234567",
            "xgboost==2.0.3  # pinned for the GPU build",
        ] {
            assert!(!bad(ok), "{ok}");
        }
    }

    #[test]
    fn ranges_and_bare_names_do_not() {
        for no in [
            "torch",
            "torch>=2.0",
            "torch~=2.3",
            "torch==2.*",
            "torch>=2,<3",
            "torch!=2.0",
            "-r base.txt",
            "-e .",
            "tool @ git+https://github.com/o/tool@main",
            "https://files.example/x.whl",
            "./local-pkg",
        ] {
            assert!(bad(no), "{no}");
        }
    }

    #[test]
    fn continuation_lines_join() {
        assert!(unpinned(["torch==2.3.1 \\", "  --hash=sha256:ab"]).is_empty());
        assert_eq!(unpinned(["numpy \\", "  --hash=sha256:ab"]).len(), 1);
    }

    #[test]
    fn images() {
        assert!(image_unpinned("pytorch/pytorch:2.3.1-cuda12.1").is_none());
        assert!(image_unpinned("pytorch/pytorch:latest").is_some());
        assert!(image_unpinned("localhost:5000/trainer").is_some());
        let sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert!(image_unpinned(&format!("trainer@sha256:{sha}")).is_none());
        assert!(image_unpinned("trainer@sha256:abc").is_some());
    }
}
