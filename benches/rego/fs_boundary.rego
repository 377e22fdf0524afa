# fs-boundary's rules in Rego, as close to the Wasm policy
# (policies/fs-boundary) as Rego allows. Input: see benches/lib.rs `rego_input`.
#
# Gaps against the Wasm policy (also in BENCHMARKS.md):
# - Rego has no lexical path normalisation (joining to the cwd, resolving
#   `..`, expanding `~`): the host does it before evaluation (`path`, or null
#   when it cannot), with the same SDK function the Wasm policy uses, and that
#   time is counted in Rego's figures.
# - Globs are written as exact, prefix and suffix rules (this build of regorus
#   has no glob built-in); `python3*` readable globs are left out.
# - Not modelled: `fs.suspicious` (NUL, /proc/<pid>/root links), `fs.mass-delete`,
#   several paths per delete, settings, risk and reasons.
package clawlaw.fs_boundary

import rego.v1

file_kinds := {"file.read", "file.write", "file.delete"}

mutating := {"file.write", "file.delete"}

protected_exact := {
	"/etc/hosts", "/etc/passwd", "/etc/shadow", "/etc/gshadow", "/etc/group",
	"/etc/sudoers", "/etc/crontab", "/etc/anacrontab", "/etc/ld.so.preload",
	"/etc/ld.so.conf", "/etc/profile", "/etc/environment", "/etc/bash.bashrc",
	"/etc/fstab", "/etc/resolv.conf",
}

protected_dirs := [
	"/etc/sudoers.d/", "/etc/ssh/", "/etc/pam.d/", "/etc/security/", "/etc/systemd/",
	"/etc/ld.so.conf.d/", "/etc/profile.d/", "/var/spool/cron/", "/usr/", "/bin/",
	"/sbin/", "/lib/", "/lib32/", "/lib64/", "/boot/", "/sys/", "/proc/",
]

home_protected_dirs := [".ssh/", ".gnupg/", ".aws/", ".config/systemd/user/", ".config/autostart/"]

home_protected_files := {
	".bashrc", ".bash_profile", ".bash_login", ".bash_logout", ".profile", ".zshrc",
	".zshenv", ".zprofile", ".zlogin", ".config/fish/config.fish", ".git-credentials",
}

readable_dirs := [
	"/usr/include/", "/usr/local/include/", "/usr/share/", "/usr/lib/rustlib/",
	"/usr/lib/node_modules/", "/usr/local/lib/node_modules/", "/usr/lib/jvm/",
	"/usr/local/go/src/", "/usr/local/cargo/registry/", "/usr/local/cargo/git/",
	"/usr/local/rustup/toolchains/",
]

home_readable_dirs := [
	".cargo/registry/", ".cargo/git/", ".rustup/toolchains/", "go/pkg/mod/",
	".m2/repository/", ".pyenv/versions/", ".nvm/versions/",
]

applies if input.kind in file_kinds

path := input.path

parts := split(path, "/")

# The path relative to a home directory (`/root/...` or `/home/<user>/...`):
# with no home known, `~` in a default glob stands for any home.
home_rel := concat("/", array.slice(parts, 2, count(parts))) if parts[1] == "root"

home_rel := concat("/", array.slice(parts, 3, count(parts))) if {
	parts[1] == "home"
	count(parts) > 3
}

inside if {
	some r in input.roots
	path == r
}

inside if {
	some r in input.roots
	startswith(path, concat("", [r, "/"]))
}

protected if path in protected_exact

protected if startswith(path, "/etc/cron")

protected if {
	some d in protected_dirs
	startswith(path, d)
}

protected if home_rel in home_protected_files

protected if {
	some d in home_protected_dirs
	startswith(home_rel, d)
}

protected if contains(path, "/.git/hooks/")

protected if endswith(path, "/.git/config")

readable if {
	some d in readable_dirs
	startswith(path, d)
}

readable if path == "/etc/os-release"

readable if {
	some d in home_readable_dirs
	startswith(home_rel, d)
}

allowed_read if {
	input.kind == "file.read"
	readable
}

deny contains "fs.outside-workspace" if {
	applies
	is_string(path)
	count(input.roots) > 0
	not inside
	not allowed_read
}

deny contains "fs.protected" if {
	input.kind in mutating
	is_string(path)
	protected
}

escalate contains "fs.unresolved" if {
	applies
	not is_string(path)
}

escalate contains "fs.no-workspace" if {
	applies
	is_string(path)
	count(input.roots) == 0
}

default verdict := "allow"

verdict := "deny" if {
	count(deny) > 0
} else := "escalate" if {
	count(escalate) > 0
}
