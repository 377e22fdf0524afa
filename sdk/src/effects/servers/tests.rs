use crate::effects::of;

/// What `line` serves, run in `/work/app` by a user whose home is
/// `/home/u`: (program, root, dynamic, loopback).
fn serves(line: &str) -> Vec<(String, String, bool, bool)> {
    of(line, Some("/work/app"), Some("/home/u"))
        .serves
        .into_iter()
        .map(|s| (s.program, s.root, s.dynamic, s.loopback))
        .collect()
}

fn one(program: &str, root: &str, loopback: bool) -> Vec<(String, String, bool, bool)> {
    vec![(program.to_string(), root.to_string(), false, loopback)]
}

#[test]
fn python_serves_the_named_directory_or_the_working_one() {
    assert_eq!(
        serves("python3 -m http.server 8000 --directory ~"),
        one("python3 -m http.server", "/home/u", false)
    );
    assert_eq!(
        serves("python3 -m http.server -d=/"),
        one("python3 -m http.server", "/", false)
    );
    assert_eq!(
        serves("cd ~ && python3 -m http.server"),
        one("python3 -m http.server", "/home/u", false)
    );
    assert_eq!(
        serves("python -mSimpleHTTPServer 8080"),
        one("python -m SimpleHTTPServer", "/work/app", false)
    );
    assert_eq!(
        serves("python3 -m http.server --bind 127.0.0.1 --directory dist"),
        one("python3 -m http.server", "/work/app/dist", true)
    );
    assert_eq!(
        serves("nohup python3.12 -m uploadserver -d $HOME/.ssh &"),
        one("python3.12 -m uploadserver", "/home/u/.ssh", false)
    );
    // Running a module that is not a server, or a script, serves nothing.
    assert!(serves("python3 -m pytest tests/").is_empty());
    assert!(serves("python3 server.py --directory ~").is_empty());
}

#[test]
fn other_languages_servers() {
    assert_eq!(
        serves("php -S 0.0.0.0:8000 -t ~"),
        one("php -S", "/home/u", false)
    );
    assert_eq!(
        serves("php -S localhost:8000 -t public"),
        one("php -S", "/work/app/public", true)
    );
    assert_eq!(
        serves("php -S127.0.0.1:9000"),
        one("php -S", "/work/app", true)
    );
    assert!(serves("php artisan serve").is_empty());
    assert_eq!(
        serves("ruby -run -e httpd ~ -p 8000"),
        one("ruby -run -e httpd", "/home/u", false)
    );
    assert_eq!(
        serves("ruby -run -ehttpd . -b 127.0.0.1"),
        one("ruby -run -e httpd", "/work/app", true)
    );
    assert!(serves("ruby -e 'puts 1'").is_empty());
    assert_eq!(
        serves("busybox httpd -f -p 8080 -h /"),
        one("busybox httpd", "/", false)
    );
    assert_eq!(
        serves("busybox httpd -p 127.0.0.1:8080"),
        one("busybox httpd", "/work/app", true)
    );
    assert_eq!(
        serves("caddy file-server --root /srv --listen :8080"),
        one("caddy file-server", "/srv", false)
    );
    assert_eq!(serves("miniserve ~"), one("miniserve", "/home/u", false));
    assert_eq!(
        serves("darkhttpd / --port 80"),
        one("darkhttpd", "/", false)
    );
    assert_eq!(serves("updog -d /etc"), one("updog", "/etc", false));
}

#[test]
fn node_servers_run_directly_or_by_a_package_runner() {
    assert_eq!(
        serves("npx http-server ~ -p 8080"),
        one("http-server", "/home/u", false)
    );
    assert_eq!(
        serves("npx -y http-server@14 -p 8080 -a 127.0.0.1 build"),
        one("http-server", "/work/app/build", true)
    );
    assert_eq!(
        serves("http-server"),
        one("http-server", "/work/app", false)
    );
    assert_eq!(
        serves("npx serve -l tcp://localhost:3000 dist"),
        one("serve", "/work/app/dist", true)
    );
    assert_eq!(serves("bunx serve /"), one("serve", "/", false));
    assert_eq!(
        serves("live-server --port=8080 --host=0.0.0.0 ~/site"),
        one("live-server", "/home/u/site", false)
    );
    assert!(serves("npx prettier --write .").is_empty());
    // Apache's `httpd` serves what its configuration says.
    assert!(serves("httpd -k start").is_empty());
}

#[test]
fn rclone_serves_local_directories_on_loopback_unless_told() {
    assert_eq!(
        serves("rclone serve http ~/.aws --addr :8080"),
        one("rclone serve http", "/home/u/.aws", false)
    );
    assert_eq!(
        serves("rclone serve webdav /data"),
        one("rclone serve webdav", "/data", true)
    );
    // A remote's files are not this machine's.
    assert!(serves("rclone serve http drive:photos --addr :8080").is_empty());
}

#[test]
fn a_root_known_only_at_run_time_is_dynamic() {
    let found = serves("python3 -m http.server --directory \"$DIR\"");
    assert_eq!(found.len(), 1);
    assert!(found[0].2, "{found:?}");
}

#[test]
fn a_line_is_analysed_only_when_a_command_may_serve() {
    let may = |line: &str| {
        crate::shell::parse(line)
            .commands
            .iter()
            .any(super::may_serve)
    };
    for line in [
        "python3 -m http.server",
        "python3 -mhttp.server",
        "sudo php -S 0.0.0.0:80",
        "ruby -run -e httpd .",
        "npx http-server ~",
        "busybox httpd -h /",
    ] {
        assert!(may(line), "{line}");
    }
    for line in [
        "python3 -c 'print(1)'",
        "python3 manage.py test",
        "php artisan migrate",
        "ruby script.rb",
        "cargo serve-docs",
    ] {
        assert!(!may(line), "{line}");
    }
}
