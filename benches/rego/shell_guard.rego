# shell-guard's core rules in Rego, as close to the Wasm policy
# (policies/shell-guard) as Rego allows. Input: see benches/lib.rs `rego_input`.
#
# Gaps against the Wasm policy (also in BENCHMARKS.md):
# - Rego cannot parse a shell line: the host splits it with the SDK's parser
#   (the one the Wasm policy uses) into commands (program, args, wrappers,
#   pipes) before evaluation, and that time is counted in Rego's figures.
# - Only these rules are modelled: remote-exec (download piped into a shell),
#   destructive (recursive rm of `/`, a home or a top-level system directory),
#   power, privileged, package-install, force-push, remote-access, unparseable.
#   Not modelled: path resolution against the cwd, `cd` tracking, variables,
#   here-docs and nested `sh -c`, disk, system-write, fork-bomb, obfuscated
#   exec, kill-all, persistence, containers, infrastructure, settings, risk.
package clawlaw.shell_guard

import rego.v1

shells := {"sh", "bash", "zsh", "dash", "ksh", "python", "python3", "perl", "ruby", "node"}

downloaders := {"curl", "wget"}

power := {"shutdown", "reboot", "halt", "poweroff"}

privileged := {"sudo", "doas", "pkexec", "su", "run0", "runuser"}

remote := {"ssh", "scp", "sftp", "telnet", "nc", "socat", "mosh"}

recursive_flags := {"-r", "-R", "-rf", "-fr", "-Rf", "-fR", "--recursive"}

system_dirs := {
	"/", "/*", "~", "~/", "$HOME", "/etc", "/usr", "/bin", "/sbin", "/lib", "/boot",
	"/var", "/home", "/root", "/opt", "/srv",
}

package_managers := {"apt", "apt-get", "yum", "dnf"}

force_flags := {"--force", "-f", "--force-with-lease"}

applies if input.kind == "shell.exec"

deny contains "shell.remote-exec" if {
	applies
	some d in input.commands
	d.program in downloaders
	d.piped_out
	some s in input.commands
	s.program in shells
	s.piped_in
	s.pipeline == d.pipeline
}

deny contains "shell.destructive" if {
	applies
	some c in input.commands
	c.program == "rm"
	some f in c.args
	f in recursive_flags
	some a in c.args
	a in system_dirs
}

deny contains "shell.power" if {
	applies
	some c in input.commands
	c.program in power
}

escalate contains "shell.privileged" if {
	applies
	some c in input.commands
	some w in c.wrappers
	w in privileged
}

escalate contains "shell.privileged" if {
	applies
	some c in input.commands
	c.program in privileged
}

escalate contains "shell.package-install" if {
	applies
	some c in input.commands
	c.program in package_managers
	"install" in c.args
}

escalate contains "shell.force-push" if {
	applies
	some c in input.commands
	c.program == "git"
	c.args[0] == "push"
	some a in c.args
	a in force_flags
}

escalate contains "shell.remote-access" if {
	applies
	some c in input.commands
	c.program in remote
}

escalate contains "shell.unparseable" if {
	applies
	not input.parsed
}

default verdict := "allow"

verdict := "deny" if {
	count(deny) > 0
} else := "escalate" if {
	count(escalate) > 0
}
