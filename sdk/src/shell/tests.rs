use super::*;

fn progs(line: &str) -> Vec<String> {
    parse(line)
        .commands
        .iter()
        .map(|c| c.program.clone())
        .collect()
}

fn argv(c: &Command) -> Vec<&str> {
    c.argv.iter().map(|w| w.text.as_str()).collect()
}

fn only(line: &str) -> Command {
    let cl = parse(line);
    assert!(cl.is_complete(), "{line:?}: {:?}", cl.issues);
    assert_eq!(cl.commands.len(), 1, "{line:?}: {:#?}", cl.commands);
    cl.commands.into_iter().next().unwrap()
}

fn find<'a>(cl: &'a CommandLine, program: &str) -> &'a Command {
    cl.commands
        .iter()
        .find(|c| c.program == program)
        .unwrap_or_else(|| panic!("no {program} in {:#?}", cl.commands))
}

#[test]
fn splits_words_with_quotes_and_escapes() {
    let c = only(r#"echo 'a b' "c $d \" e" f\ g h"i"'j' \$x"#);
    assert_eq!(argv(&c), ["echo", "a b", "c $d \" e", "f g", "hij", "$x"]);
    assert!(c.argv[2].is_dynamic());
    assert!(!c.argv[5].is_dynamic());
    assert!(c.argv[1].quoted && !c.argv[0].quoted);
}

#[test]
fn ansi_c_quoting_is_decoded() {
    let c = only(r"$'\x72\x6d' -rf $'\057' $'a\'b' $'\u00e9\n'");
    assert_eq!(c.program, "rm");
    assert_eq!(argv(&c)[1..], ["-rf", "/", "a'b", "é\n"]);
    assert!(!c.program_dynamic);
}

#[test]
fn program_is_the_basename() {
    for line in [
        "/bin/rm -rf x",
        r"\rm -rf x",
        "'rm' x",
        "r''m x",
        "\"/usr/bin/rm\" x",
        "./node_modules/.bin/rm x",
    ] {
        assert_eq!(only(line).program, "rm", "{line}");
    }
    let c = only("$HOME/.cargo/bin/cargo build");
    assert_eq!(c.program, "cargo");
    assert!(!c.program_dynamic);
    for line in [
        "$(echo rm) -rf /",
        "$CMD x",
        "`which rm` x",
        "/bin/r? x",
        "${X}rm y",
    ] {
        let cl = parse(line);
        assert!(cl.commands[0].program_dynamic, "{line}");
    }
}

#[test]
fn windows_programs_are_named_without_exe() {
    assert_eq!(progs("curl.exe -X POST http://x/y"), ["curl"]);
    assert_eq!(
        progs("C:/Windows/System32/taskkill.EXE /im x"),
        ["taskkill"]
    );
}

#[test]
fn control_operators_split_commands() {
    let cl = parse("a; b && c || d & e\nf | g |& h");
    assert!(cl.is_complete());
    assert_eq!(
        progs("a; b && c || d & e\nf | g |& h"),
        ["a", "b", "c", "d", "e", "f", "g", "h"]
    );
    assert!(find(&cl, "d").background);
    assert!(!find(&cl, "e").background);
    let g = find(&cl, "g");
    assert!(g.piped_in && g.piped_out);
    assert!(
        g.redirects
            .iter()
            .any(|r| r.fd == Some(2) && r.op == RedirectOp::DupOut && r.target == "1")
    );
    let p = &cl.pipelines[g.pipeline];
    assert_eq!(p.commands.len(), 3);
}

#[test]
fn comments_are_skipped() {
    assert_eq!(progs("echo a#b # rm -rf /\nls"), ["echo", "ls"]);
    assert_eq!(only("echo a#b").argv[1], "a#b");
}

#[test]
fn redirects_are_not_argv() {
    let c = only("cmd a >out 2>>err <in 2>&1 &>all >|clob 3<>rw <<<'here str' b >&2 >&file");
    assert_eq!(argv(&c), ["cmd", "a", "b"]);
    let ops: Vec<_> = c
        .redirects
        .iter()
        .map(|r| (r.fd, r.op, r.target.text.as_str()))
        .collect();
    assert_eq!(
        ops,
        [
            (None, RedirectOp::Write, "out"),
            (Some(2), RedirectOp::Append, "err"),
            (None, RedirectOp::Read, "in"),
            (Some(2), RedirectOp::DupOut, "1"),
            (None, RedirectOp::WriteAll, "all"),
            (None, RedirectOp::Clobber, "clob"),
            (Some(3), RedirectOp::ReadWrite, "rw"),
            (None, RedirectOp::HereString, "here str"),
            (None, RedirectOp::DupOut, "2"),
            (None, RedirectOp::WriteAll, "file"),
        ]
    );
    assert!(c.redirects[0].op.writes_file() && !c.redirects[3].op.writes_file());
    assert_eq!(only("echo a2>f").argv[1], "a2");
    assert_eq!(only("> /etc/passwd").redirects[0].target, "/etc/passwd");
}

#[test]
fn here_documents() {
    let cl = parse("cat <<EOF > out.txt\nrm -rf /\n$(whoami)\nEOF\nls");
    assert!(cl.is_complete(), "{:?}", cl.issues);
    let cat = find(&cl, "cat");
    assert_eq!(
        cat.redirects[0].here_doc.as_deref(),
        Some("rm -rf /\n$(whoami)\n")
    );
    assert!(!cl.programs().any(|p| p == "rm"));
    assert_eq!(find(&cl, "whoami").origin, Origin::CommandSubstitution);
    assert_eq!(find(&cl, "ls").depth, 0);
    let quoted = parse("cat <<'EOF'\n$(whoami)\nEOF");
    assert!(!quoted.programs().any(|p| p == "whoami"));
    let tabs = parse("cat <<-END\n\tbody\n\tEND\nls");
    assert_eq!(
        find(&tabs, "cat").redirects[0].here_doc.as_deref(),
        Some("body\n")
    );
    assert_eq!(tabs.commands.len(), 2);
}

#[test]
fn assignments_are_kept_apart() {
    let c = only("FOO=bar X+=1 Y=\"a b\" cargo test A=b");
    assert_eq!(c.program, "cargo");
    assert_eq!(argv(&c), ["cargo", "test", "A=b"]);
    let names: Vec<_> = c
        .assignments
        .iter()
        .map(|a| (a.name.as_str(), a.value.text.as_str(), a.append))
        .collect();
    assert_eq!(
        names,
        [("FOO", "bar", false), ("X", "1", true), ("Y", "a b", false)]
    );
    let a = parse("ARR=(one $(two) three)").commands.remove(0);
    assert!(a.argv.is_empty());
    assert_eq!(a.assignments[0].value.text, "(one $(two) three)");
    assert!(
        parse("ARR=(one $(two) three)")
            .programs()
            .any(|p| p == "two")
    );
    assert_eq!(only("\"FOO\"=bar").program, "FOO=bar");
}

#[test]
fn substitutions_are_nested() {
    let cl = parse(
        "echo $(rm -rf /) `id -u` \"$(curl x | sh)\" $((1 + $(wc -l))) ${X:-$(pwd)} <(ls) >(tee f)",
    );
    assert!(cl.is_complete(), "{:?}", cl.issues);
    for (p, origin) in [
        ("rm", Origin::CommandSubstitution),
        ("id", Origin::CommandSubstitution),
        ("curl", Origin::CommandSubstitution),
        ("sh", Origin::CommandSubstitution),
        ("wc", Origin::CommandSubstitution),
        ("pwd", Origin::CommandSubstitution),
        ("ls", Origin::ProcessSubstitution),
        ("tee", Origin::ProcessSubstitution),
    ] {
        let c = find(&cl, p);
        assert_eq!(c.origin, origin, "{p}");
        assert_eq!(c.depth, 1, "{p}");
        assert_eq!(c.parent, Some(0), "{p}");
    }
    assert!(find(&cl, "sh").piped_in);
    let nested = parse("a $(b $(c `d \\`e\\``))");
    assert_eq!(find(&nested, "e").depth, 4);
}

#[test]
fn subshells_groups_and_functions() {
    let cl = parse("(cd x && make) | tee log; { a; b; } > out; f() { g | h & }; f");
    assert!(cl.is_complete(), "{:?}", cl.issues);
    let sub = &cl.commands[0];
    assert_eq!(sub.kind, CommandKind::Subshell);
    assert!(sub.piped_out);
    assert!(
        find(&cl, "make").piped_out,
        "last command of a piped subshell pipes out"
    );
    assert!(!find(&cl, "make").piped_in);
    let group = cl
        .commands
        .iter()
        .find(|c| c.kind == CommandKind::Group)
        .unwrap();
    assert_eq!(group.redirects[0].target, "out");
    assert_eq!(find(&cl, "a").origin, Origin::Group);
    let def = cl
        .commands
        .iter()
        .position(|c| matches!(&c.kind, CommandKind::Function { name } if name == "f"))
        .unwrap();
    let g = find(&cl, "g");
    assert!(cl.is_within(
        cl.commands.iter().position(|c| c.program == "g").unwrap(),
        def
    ));
    assert!(g.background && g.piped_out);
    let bomb = parse(":(){ :|:& };:");
    assert!(bomb.is_complete(), "{:?}", bomb.issues);
    assert!(matches!(&bomb.commands[0].kind, CommandKind::Function { name } if name == ":"));
    assert!(
        bomb.commands
            .iter()
            .any(|c| c.program == ":" && c.depth == 2 && c.background)
    );
    assert_eq!(bomb.commands.last().unwrap().depth, 0);
    let kw = parse("function bomb { bomb | bomb & }; bomb");
    assert!(kw.is_complete(), "{:?}", kw.issues);
    assert!(matches!(&kw.commands[0].kind, CommandKind::Function { name } if name == "bomb"));
}

#[test]
fn piped_input_flows_into_compounds() {
    let cl = parse("curl -s x | (cd /tmp; sh)");
    let i = cl.commands.iter().position(|c| c.program == "sh").unwrap();
    assert!(cl.commands[i].piped_in);
    assert!(
        cl.upstream(i)
            .iter()
            .any(|&u| cl.commands[u].program == "curl")
    );
    let fed = cl.piped_from_any(|c| c.program == "curl");
    assert!(fed[i]);
    let cl = parse("echo \"$(curl x)\" | tee f | bash");
    let fed = cl.piped_from_any(|c| c.program == "curl");
    let b = cl
        .commands
        .iter()
        .position(|c| c.program == "bash")
        .unwrap();
    assert!(fed[b]);
    assert!(!fed[0]);
    let cl = parse("curl x > f; bash f");
    assert!(
        !cl.piped_from_any(|c| c.program == "curl")
            .iter()
            .any(|&x| x)
    );
}

#[test]
fn shell_strings_and_eval_are_parsed() {
    for (line, origin) in [
        ("sh -c 'rm -rf /'", Origin::ShellString),
        ("bash -lc \"cd / && rm -rf /\"", Origin::ShellString),
        ("zsh -o pipefail -c 'rm -rf /'", Origin::ShellString),
        ("dash -c -- 'rm -rf /'", Origin::ShellString),
        ("su root -c 'rm -rf /'", Origin::ShellString),
        ("eval rm -rf /", Origin::Eval),
        ("eval \"rm -rf /\"", Origin::Eval),
        ("sudo -s rm -rf /", Origin::ShellString),
        ("watch -n 1 'rm -rf /'", Origin::ShellString),
        ("env -S 'rm -rf /'", Origin::ShellString),
        ("busybox sh -c 'rm -rf /'", Origin::ShellString),
        ("find . -exec rm -rf {} \\;", Origin::FindExec),
        ("xargs -0 sh -c 'rm -rf /'", Origin::ShellString),
    ] {
        let cl = parse(line);
        assert!(cl.is_complete(), "{line}: {:?}", cl.issues);
        let rm = find(&cl, "rm");
        assert_eq!(rm.origin, origin, "{line}");
        assert!(rm.depth >= 1, "{line}");
        if origin != Origin::FindExec {
            assert_eq!(argv(rm), ["rm", "-rf", "/"], "{line}");
        }
    }
    assert!(!parse("bash script.sh -c x").programs().any(|p| p == "x"));
    assert!(!parse("echo sh -c 'rm -rf /'").programs().any(|p| p == "rm"));
}

#[test]
fn fd_exec_commands_are_parsed_with_their_placeholder() {
    for (line, want) in [
        ("fd -e py . src -x black", &["black", "{}"][..]),
        ("fd -t f -X rm -f {} ;", &["rm", "-f", "{}"]),
        (
            "fdfind log --exec-batch gzip -9 {/.} ;",
            &["gzip", "-9", "{}"],
        ),
        (
            "fd -x sh -c 'rm \"$1\"' _ {//}",
            &["sh", "-c", "rm \"$1\"", "_", "{}"],
        ),
    ] {
        let cl = parse(line);
        assert!(cl.is_complete(), "{line}: {:?}", cl.issues);
        let run = &cl.commands[1];
        assert_eq!(run.origin, Origin::FindExec, "{line}");
        assert_eq!(cl.find_of_exec(1), Some(0), "{line}");
        assert_eq!(argv(run), want, "{line}");
    }
    // Without a command to run, fd only lists.
    assert_eq!(parse("fd -x").commands.len(), 1);
    assert_eq!(parse("fd -e rs").commands.len(), 1);
}

#[test]
fn substitutions_in_shell_strings_are_not_analysed_twice() {
    let cl = parse("sh -c \"$(curl -s x)\"");
    assert_eq!(
        cl.commands.iter().filter(|c| c.program == "curl").count(),
        1
    );
    assert!(cl.commands.iter().any(|c| c.program_dynamic));
    let cl = parse("sh -c 'echo $(curl -s x)'");
    assert_eq!(
        cl.commands.iter().filter(|c| c.program == "curl").count(),
        1
    );
}

#[test]
fn wrappers_are_unwrapped() {
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("sudo -u root -E rm -rf /", &["sudo"], &["rm", "-rf", "/"]),
        ("sudo --user=root -- rm x", &["sudo"], &["rm", "x"]),
        ("doas -u bob rm x", &["doas"], &["rm", "x"]),
        ("env -i PATH=/bin FOO=1 rm x", &["env"], &["rm", "x"]),
        (
            "nice -n 10 ionice -c3 rm x",
            &["nice", "ionice"],
            &["rm", "x"],
        ),
        ("nice -5 rm x", &["nice"], &["rm", "x"]),
        ("nohup time -p rm x", &["nohup", "time"], &["rm", "x"]),
        (
            "timeout -s KILL --kill-after=5 30s rm x",
            &["timeout"],
            &["rm", "x"],
        ),
        ("timeout 10 rm x", &["timeout"], &["rm", "x"]),
        ("command rm x", &["command"], &["rm", "x"]),
        ("exec -a foo rm x", &["exec"], &["rm", "x"]),
        ("xargs -0 -n 1 -I {} rm {}", &["xargs"], &["rm", "{}"]),
        ("stdbuf -oL -e 0 rm x", &["stdbuf"], &["rm", "x"]),
        ("chroot /mnt rm x", &["chroot"], &["rm", "x"]),
        (
            "unshare -r -m --propagation private rm x",
            &["unshare"],
            &["rm", "x"],
        ),
        ("nsenter -t 1 -m -u rm x", &["nsenter"], &["rm", "x"]),
        (
            "sudo nice -n 5 /bin/rm x",
            &["sudo", "nice"],
            &["/bin/rm", "x"],
        ),
        ("setsid -f rm x", &["setsid"], &["rm", "x"]),
        ("watch -x rm x", &["watch"], &["rm", "x"]),
        ("xargs", &["xargs"], &["echo"]),
        ("flock -w 5 /tmp/l rm x", &["flock"], &["rm", "x"]),
        (
            "taskset -c 0,1 nice rm x",
            &["taskset", "nice"],
            &["rm", "x"],
        ),
        (
            "numactl --membind=0 -C 0-3 rm x",
            &["numactl"],
            &["rm", "x"],
        ),
        ("chrt -f 10 rm x", &["chrt"], &["rm", "x"]),
        ("prlimit --nofile=64 rm x", &["prlimit"], &["rm", "x"]),
        (
            "strace -f -o /tmp/t -e trace=file rm x",
            &["strace"],
            &["rm", "x"],
        ),
        (
            "systemd-run --user --unit x -p Nice=5 rm x",
            &["systemd-run"],
            &["rm", "x"],
        ),
        ("screen -dmS job rm x", &["screen"], &["rm", "x"]),
        (
            "unbuffer dbus-launch fakeroot rm x",
            &["unbuffer", "dbus-launch", "fakeroot"],
            &["rm", "x"],
        ),
        (
            "parallel -j 4 rm -f ::: a b",
            &["parallel"],
            &["rm", "-f", "a", "b"],
        ),
        ("cmake -E rm -rf build", &["cmake"], &["rm", "-rf", "build"]),
        (
            "cmake -E remove_directory build",
            &["cmake"],
            &["rm", "-rf", "build"],
        ),
    ];
    for (line, wrappers, rest) in cases {
        let c = only(line);
        let w: Vec<_> = c.wrappers.iter().map(|w| w.program.as_str()).collect();
        assert_eq!(&w, wrappers, "{line}");
        assert_eq!(&argv(&c), rest, "{line}");
    }
    let c = only("env -i PATH=/bin rm x");
    assert_eq!(c.assignments[0].name, "PATH");
    assert_eq!(only("sudo -u root -E rm x").wrappers[0].args.len(), 3);
    // A wrapper's options as it reads them, and its operands.
    let values = |line: &str, names: &[&str]| -> Vec<String> {
        let c = only(line);
        let w = &c.wrappers[0];
        w.option_values(names).map(|v| v.text.clone()).collect()
    };
    for line in [
        "sudo -u bob rm x",
        "sudo -ubob rm x",
        "sudo --user=bob rm x",
        "sudo --user bob rm x",
        "sudo -E -u bob rm x",
    ] {
        assert_eq!(values(line, &["-u", "--user"]), ["bob"], "{line}");
    }
    assert_eq!(
        values("env -u A --unset=HOME -uB rm x", &["-u", "--unset"]),
        ["A", "HOME", "B"]
    );
    let env = |line: &str| only(line).wrappers[0].has_option(&["-i", "-", "--ignore-environment"]);
    assert!(env("env -i rm x"));
    assert!(env("env -vi rm x"));
    assert!(env("env - rm x"));
    assert!(env("env --ignore-environment rm x"));
    assert!(!env("env -uCI_JOB_TOKEN rm x"));
    assert!(!env("env -v FOO=1 rm x"));
    // xargs whose replacement string is the program: known at run time.
    for line in [
        "xargs -I{} {} clawlaw",
        "xargs -I % % -rf /",
        "xargs --replace {} x",
    ] {
        let c = only(line);
        assert!(c.program_dynamic, "{line}");
    }
    assert!(!only("xargs -I{} rm {}").program_dynamic);
    // Windows' wsl runs a Linux command; managing distributions runs none.
    for (line, program) in [
        ("wsl pkill x", "pkill"),
        ("wsl.exe -d Ubuntu -u root -e rm -rf /tmp/x", "rm"),
        ("wsl --cd /w -- cargo test", "cargo"),
        ("wsl --terminate Ubuntu", "wsl"),
        ("wsl -l -v", "wsl"),
    ] {
        assert_eq!(only(line).program, program, "{line}");
    }
    let c = only("timeout -s KILL 30s rm x");
    assert_eq!(c.wrappers[0].operands[0].text, "30s");
    assert_eq!(
        c.wrappers[0]
            .option_values(&["-s"])
            .next()
            .map(|w| w.text.as_str()),
        Some("KILL")
    );
    for line in [
        "command -v rm",
        "sudo -l",
        "sudo",
        "env",
        "timeout 5",
        "sudo -e /etc/hosts",
        "nohup",
        "taskset -p 03 1234",
        "strace -p 1234",
        "script /tmp/session.log",
        "cmake -E capabilities",
        "cmake --build build",
    ] {
        let c = only(line);
        assert!(c.wrappers.is_empty(), "{line}");
    }
    // Wrappers that hand the shell a string: the string's commands are
    // parsed as nested ones.
    for line in [
        "flock /tmp/l -c 'rm x'",
        "sg dev -c 'rm x'",
        "script -qc 'rm x' /dev/null",
        "vim -c ':!rm x' -c ':q'",
        "nvim +'silent !rm x' +q",
        "vi --cmd '!rm x'",
    ] {
        let cl = parse(line);
        assert!(cl.is_complete(), "{line}: {:?}", cl.issues);
        let rm = find(&cl, "rm");
        assert_eq!(rm.origin, Origin::ShellString, "{line}");
        assert_eq!(argv(rm), ["rm", "x"], "{line}");
    }
    assert!(
        parse("vim -c 'set nu' -c ':wq' f.txt")
            .programs()
            .all(|p| p == "vim")
    );
    // Package runners run the package's binary.
    for (line, program, args) in [
        ("npx rimraf ~/x", "rimraf", vec!["~/x"]),
        ("npx -y -p rimraf@5 rimraf dist", "rimraf", vec!["dist"]),
        (
            "pnpm dlx @scope/tool@1.2 --flag 'a b'",
            "tool",
            vec!["--flag", "a b"],
        ),
        (
            "npm exec -- prisma migrate reset",
            "prisma",
            vec!["migrate", "reset"],
        ),
        ("pipx run --python 3.12 black .", "black", vec!["."]),
        ("npx -c 'rm -rf x'", "rm", vec!["-rf", "x"]),
    ] {
        let cl = parse(line);
        let c = find(&cl, program);
        assert_eq!(c.origin, Origin::ShellString, "{line}");
        assert_eq!(argv(c)[1..], args, "{line}");
    }
    // Terminal multiplexers and debuggers run shell commands too.
    for line in [
        "tmux new -d 'rm x'",
        "tmux -L s new-session -d -s job -n w 'rm x'",
        "tmux send-keys -t job:0 'rm x' Enter",
        "gdb -batch -ex 'shell rm x'",
        "gdb --eval-command='!rm x' ./a.out",
    ] {
        let cl = parse(line);
        let rm = find(&cl, "rm");
        assert_eq!(rm.origin, Origin::ShellString, "{line}");
        assert_eq!(argv(rm), ["rm", "x"], "{line}");
    }
    // A shell string's positional parameters are the words after it.
    let cl = parse("sh -c 'rm -rf \"$1\" \"${2}\"' _ ~/x build");
    assert_eq!(argv(find(&cl, "rm")), ["rm", "-rf", "$HOME/x", "build"]);
    let cl = parse("bash -c 'rm \"$@\"' sh a b");
    assert_eq!(argv(find(&cl, "rm")), ["rm", "a", "b"]);
    // `$0` is the first word after the string; a function's is the shell's.
    let cl = parse("bash -c 'kill -9 $0' 4242");
    assert_eq!(argv(find(&cl, "kill")), ["kill", "-9", "4242"]);
    let cl = parse("f() { kill \"$0\" \"$1\"; }; f 77");
    let called = cl.commands.iter().rfind(|c| c.program == "kill").unwrap();
    assert_eq!(argv(called), ["kill", "$0", "77"]);
    let cl = parse("find . -name '*.db' -exec sh -c ': > \"$1\"' _ {} \\;");
    let colon = cl.commands.iter().position(|c| c.program == ":").unwrap();
    assert_eq!(cl.find_of_exec(colon), Some(0));
    let cl = parse("sh -c 'rm \"$1\"' _ \"$X\"");
    assert_eq!(argv(find(&cl, "rm")), ["rm", "$1"]);
    assert_eq!(parse("tmux ls").commands.len(), 1);
    assert_eq!(parse("tmux attach -t job").commands.len(), 1);
    assert_eq!(parse("gdb -ex run --args ./a.out x").commands.len(), 1);
    assert_eq!(parse("npm install left-pad").commands.len(), 1);
    assert_eq!(parse("yarn add -D jest").commands.len(), 1);
    assert_eq!(only("sudo -i").program, "sudo");
}

#[test]
fn a_line_that_looks_like_powershell_is_also_read_as_posix() {
    // `update-grub` looks like a cmdlet (an approved verb, a noun): the
    // line is read as PowerShell and, since a POSIX shell runs it too, as
    // POSIX, so the `rm -rf /` is seen with its arguments.
    let cl = parse("update-initramfs -u && rm -rf /");
    assert!(
        cl.commands
            .iter()
            .any(|c| c.program == "rm" && argv(c) == ["rm", "-rf", "/"]),
        "{:?}",
        cl.commands
    );
    assert!(cl.commands.iter().any(|c| c.program == "pwsh"));
    // PowerShell that is not POSIX (a `$env:` assignment, a script block)
    // is read as PowerShell only.
    let cl = parse("Get-ChildItem C:\\ -Recurse | ForEach-Object { Remove-Item $_ }");
    assert!(cl.is_complete(), "{:?}", cl.issues);
    assert!(cl.commands.iter().any(|c| c.program == "pwsh"));
}

#[test]
fn keywords_and_compound_commands() {
    let cl = parse("if [ -f x ]; then rm -rf build; else echo no; fi");
    assert!(cl.is_complete(), "{:?}", cl.issues);
    assert_eq!(cl.programs().collect::<Vec<_>>(), ["[", "rm", "echo"]);
    let cl = parse("for f in *.o; do rm \"$f\"; done | sort");
    assert!(cl.is_complete(), "{:?}", cl.issues);
    assert!(cl.programs().any(|p| p == "rm"));
    let cl = parse("while read l; do echo \"$l\"; done < list.txt");
    assert!(cl.is_complete(), "{:?}", cl.issues);
    let cl = parse("case \"$1\" in start|run) go ;; (stop) rm -rf /;; *) echo \"?\";; esac; ls");
    assert!(cl.is_complete(), "{:?}", cl.issues);
    assert_eq!(find(&cl, "rm").origin, Origin::CaseArm);
    assert_eq!(find(&cl, "ls").depth, 0);
    let cl = parse("[[ $x == a && ( $y < b || -f z ) ]] && rm x");
    assert!(cl.is_complete(), "{:?}", cl.issues);
    assert_eq!(cl.programs().collect::<Vec<_>>(), ["[[", "rm"]);
    assert!(!cl.commands[0].program_dynamic);
    let cl = parse("((i++)); for ((i=0; i<3; i++)); do echo $((i*2)); done; ! false");
    assert!(cl.is_complete(), "{:?}", cl.issues);
    assert!(cl.programs().any(|p| p == "false"));
    let cl = parse("((cd a); (cd b))");
    assert!(cl.is_complete(), "{:?}", cl.issues);
    assert_eq!(cl.programs().collect::<Vec<_>>(), ["cd", "cd"]);
    assert_eq!(cl.commands[0].kind, CommandKind::Subshell);
    let cl = parse("$((cd a); echo b)");
    assert!(cl.programs().any(|p| p == "echo"));
}

#[test]
fn globs_braces_and_tilde_are_dynamic() {
    let c = only("rm -rf /* ~/x /{usr,etc} a[0-9] 'q*' {} {a} x=~/y");
    let w = &c.argv;
    assert_eq!(w[2].static_prefix(), "/");
    assert_eq!(w[3].static_prefix(), "");
    assert_eq!(w[3].dynamic_spans().next(), Some(0..1));
    assert_eq!(w[4].static_prefix(), "/");
    assert!(w[5].is_dynamic());
    assert!(!w[6].is_dynamic());
    assert!(!w[7].is_dynamic() && !w[8].is_dynamic());
    assert!(w[9].is_dynamic(), "~ after NAME= is expanded");
    assert!(!only("echo a~b").argv[1].is_dynamic());
    assert!(!only("[ -f x ]").program_dynamic);
}

#[test]
fn option_helpers() {
    let c = only("rm -r -f --no-preserve-root -- -x /");
    assert!(c.has_flag('r') && c.has_flag('f') && !c.has_flag('x'));
    assert!(c.has_long("no-preserve-root") && !c.has_long("no"));
    let ops: Vec<_> = c.operands().map(|w| w.text.as_str()).collect();
    assert_eq!(ops, ["-x", "/"]);
    assert!(only("git push --force-with-lease=main").has_long("force-with-lease"));
    assert_eq!(only("sudo rm -rf /").to_string(), "sudo rm -rf /");
    assert_eq!(only("echo 'a b' > f").to_string(), "echo 'a b' >f");
    assert_eq!(
        parse("bash <(curl -s x)").commands[0].to_string(),
        "bash <(curl -s x)"
    );
    assert_eq!(
        only("ls \"$HOME/my dir\" '$x' '*'").to_string(),
        "ls \"$HOME/my dir\" '$x' '*'"
    );
}

#[test]
fn unbalanced_input_is_flagged_not_fatal() {
    for (line, issue) in [
        ("echo 'abc", Issue::UnclosedQuote),
        ("echo \"abc", Issue::UnclosedQuote),
        ("echo $'abc", Issue::UnclosedQuote),
        ("echo `abc", Issue::UnclosedQuote),
        ("echo $(abc", Issue::UnclosedSubstitution),
        ("echo $((1 + 2", Issue::UnclosedSubstitution),
        ("echo ${abc", Issue::UnclosedSubstitution),
        ("cat <(abc", Issue::UnclosedSubstitution),
        ("(abc", Issue::UnclosedGroup),
        ("{ abc;", Issue::UnclosedGroup),
        ("case x in a) b;;", Issue::UnclosedGroup),
        ("[[ -f x", Issue::UnclosedGroup),
        ("abc )", Issue::UnexpectedToken),
        ("| abc", Issue::UnexpectedToken),
        ("abc |", Issue::UnexpectedToken),
        ("a ;; b", Issue::UnexpectedToken),
        ("a\0b", Issue::NulByte),
    ] {
        let cl = parse(line);
        assert!(cl.issues.contains(&issue), "{line:?}: {:?}", cl.issues);
        assert!(!cl.is_complete());
    }
    // Best effort: what could be read is still there.
    let cl = parse("rm -rf / 'oops");
    assert_eq!(argv(&cl.commands[0])[..3], ["rm", "-rf", "/"]);
}

fn assert_bounded(line: &str) -> CommandLine {
    let cl = parse(line);
    assert!(cl.commands.len() <= MAX_COMMANDS);
    assert!(cl.commands.iter().all(|c| c.depth <= MAX_DEPTH + 1));
    for (i, c) in cl.commands.iter().enumerate() {
        assert!(c.parent.is_none_or(|p| p < i));
        assert!(c.pipeline < cl.pipelines.len());
    }
    cl
}

#[test]
fn hostile_input_never_panics_and_stays_bounded() {
    let n = 10_000;
    let deep: Vec<String> = vec![
        format!("{}x{}", "(".repeat(n), ")".repeat(n)),
        "(".repeat(n),
        ")".repeat(n),
        format!("{}x{}", "$(".repeat(n), ")".repeat(n)),
        "$(".repeat(n),
        "$((".repeat(n),
        "((".repeat(n),
        "${".repeat(n),
        format!("{}x", "{ ".repeat(n)),
        "`".repeat(n),
        "<(".repeat(n),
        format!("{}x", "sh -c ".repeat(n)),
        format!("{}rm -rf /", "eval ".repeat(n)),
        format!("{}", "case x in x) ".repeat(n)),
        format!("{}x", "f() ".repeat(n)),
        format!("{}", "a=(".repeat(n)),
        format!("{}", "[[ ".repeat(n)),
        format!("{}", "@(".repeat(n)),
        format!("x {}", "\\".repeat(n)),
        format!("{}", "$'\\".repeat(n)),
        format!("cat {}", "<<E\n".repeat(n)),
        "find . -exec ".repeat(n),
        "sudo -s ".repeat(n),
        format!("sh -c \"{}\"", "$(sh -c \\\"".repeat(40)),
        format!("{}x", "bash -c 'sudo -s ".repeat(n)),
    ];
    for line in &deep {
        let cl = assert_bounded(line);
        assert!(
            !cl.is_complete() || cl.commands.len() < 10,
            "{}",
            &line[..20]
        );
    }
    let cl = assert_bounded(&format!("{}rm -rf /", "sudo -s ".repeat(40)));
    assert!(cl.issues.contains(&Issue::TooDeep));
    let cl = assert_bounded(&format!("{}rm -rf /", "sudo -s ".repeat(20)));
    assert!(cl.is_complete(), "{:?}", cl.issues);
    assert_eq!(cl.commands.last().unwrap().program, "rm");
}

#[test]
fn huge_input_is_bounded() {
    let mb = 1 << 20;
    let lines = [
        "a ".repeat(mb / 2),
        "a;".repeat(mb / 2),
        "x".repeat(mb),
        "echo ".to_string() + &"'x".repeat(mb / 2),
        "|".repeat(mb),
        ";".repeat(mb),
        "a|".repeat(mb / 2),
        "$x".repeat(mb / 2),
        "*".repeat(mb),
        "[".repeat(mb),
        "{a,".repeat(mb / 3),
        "\0".repeat(mb),
        "é".repeat(mb / 2),
        "x".repeat(mb + 10),
        format!("cat <<E\n{}", "line\n".repeat(mb / 5)),
    ];
    for line in &lines {
        let cl = assert_bounded(line);
        for c in &cl.commands {
            let _ = c.to_string();
        }
    }
    assert!(
        parse(&"x".repeat(MAX_LEN + 1))
            .issues
            .contains(&Issue::TooLarge)
    );
    assert!(
        parse(&"a;".repeat(MAX_COMMANDS + 1))
            .issues
            .contains(&Issue::TooLarge)
    );
}

#[test]
fn pseudo_random_input_never_panics() {
    let alphabet: &[&str] = &[
        "a",
        " ",
        "'",
        "\"",
        "\\",
        "$",
        "(",
        ")",
        "{",
        "}",
        "`",
        "|",
        "&",
        ";",
        "<",
        ">",
        "\n",
        "#",
        "*",
        "[",
        "]",
        "=",
        "~",
        ",",
        ".",
        "$(",
        "$((",
        "${",
        "<<",
        "EOF",
        "sh -c ",
        "eval ",
        "case ",
        " in ",
        "esac",
        "sudo ",
        "-",
        "é",
        "\0",
        "((",
        "))",
        "[[",
        "]]",
        "f()",
        "function ",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..3000 {
        let mut line = String::new();
        let len = (seed % 60) as usize;
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            line.push_str(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        let cl = assert_bounded(&line);
        for c in &cl.commands {
            let _ = c.to_string();
            for w in &c.argv {
                let _ = w.static_prefix();
            }
        }
        let _ = cl.piped_from_any(|c| c.program == "a");
        for i in 0..cl.commands.len() {
            let _ = cl.upstream(i);
        }
    }
}

#[test]
fn a_function_called_with_arguments_runs_its_body_with_them() {
    let l = parse("nuke() { rm -rf \"$1\"; }; nuke /srv/data");
    let rm: Vec<&Command> = l
        .commands
        .iter()
        .filter(|c| c.program == "rm" && c.args().iter().any(|w| w.text == "/srv/data"))
        .collect();
    assert_eq!(rm.len(), 1, "{:?}", l.commands);
    let l = parse("function clean { rm -rf \"$@\"; }; clean build dist");
    assert!(
        l.commands
            .iter()
            .any(|c| c.program == "rm" && c.args().iter().any(|w| w.text == "build"))
    );
    // A call with no arguments has nothing to fill in.
    let l = parse("f() { ls \"$1\"; }; f");
    assert_eq!(l.commands.iter().filter(|c| c.program == "ls").count(), 1);
}

#[test]
fn variables_set_for_a_shell_string_are_put_in() {
    for line in [
        "T=/srv/data sh -c 'rm -rf \"$T\"'",
        "env T=/srv/data sh -c 'rm -rf ${T}'",
    ] {
        let l = parse(line);
        assert!(
            l.commands
                .iter()
                .any(|c| c.program == "rm" && c.args().iter().any(|w| w.text == "/srv/data")),
            "{line}: {:?}",
            l.commands
        );
    }
    // `$TMP` is another variable than `$T`.
    let l = parse("T=/srv sh -c 'rm -rf \"$TMP\"'");
    assert!(
        !l.commands
            .iter()
            .any(|c| c.args().iter().any(|w| w.text == "/srvMP"))
    );
}

#[test]
fn a_first_word_the_shell_splits_is_split() {
    for line in [
        "{rm,-rf,/srv}",
        "rm${IFS}-rf${IFS}/srv",
        "rm$IFS-rf$IFS/srv",
    ] {
        let l = parse(line);
        let c = &l.commands[0];
        assert_eq!(c.program, "rm", "{line}");
        assert_eq!(
            c.args().iter().map(|w| w.text.as_str()).collect::<Vec<_>>(),
            ["-rf", "/srv"],
            "{line}"
        );
    }
    // Quoted, or a brace group of one, stays as written.
    assert_eq!(parse("'{a,b}' x").commands[0].program, "{a,b}");
    assert_eq!(
        parse("{ ls; }")
            .commands
            .iter()
            .filter(|c| c.program == "ls")
            .count(),
        1
    );
}

#[test]
fn requote_keeps_expansions_and_the_home() {
    use super::requote;
    assert_eq!(requote("~/x"), "~/x");
    assert_eq!(requote("$HOME/a b"), "\"$HOME/a b\"");
    assert_eq!(requote("it's"), "'it'\\''s'");
    for w in ["~/x", "$HOME/a b", "it's", "a;b", ""] {
        let line = super::parse(&format!("echo {}", requote(w)));
        assert_eq!(line.commands[0].argv.len(), 2, "{w}");
    }
}

/// The programs of `line`'s commands, in order.
fn programs(line: &str) -> Vec<String> {
    super::parse(line)
        .commands
        .iter()
        .map(|c| c.program.clone())
        .collect()
}

#[test]
fn a_program_copied_under_another_name_runs_as_itself() {
    assert_eq!(programs("cp /bin/rm ./safe && ./safe -rf ~"), ["cp", "rm"]);
    assert_eq!(
        programs("ln -sf \"$(which kill)\" /tmp/k; /tmp/k -9 4242"),
        ["ln", "which", "kill"]
    );
    assert_eq!(
        programs("install -m 755 /usr/bin/bash bin/ && bin/bash -c 'rm -rf ~'"),
        ["install", "bash", "rm"]
    );
    // A copy of the project's own script, or a name never copied.
    assert_eq!(programs("cp scripts/run.sh ./run && ./run"), ["cp", "run"]);
    assert_eq!(
        programs("cp /bin/rm ./safe; ./other -rf ~"),
        ["cp", "other"]
    );
}

#[test]
fn the_shells_own_executable_runs_a_shell() {
    assert_eq!(
        programs("/proc/self/exe -c 'pkill clawlaw'"),
        ["bash", "pkill"]
    );
    assert_eq!(programs("/proc/$$/exe -c 'rm -rf ~'"), ["bash", "rm"]);
    // Another process's program is not known from the line.
    assert_eq!(programs("/proc/4242/exe --version"), ["exe"]);
}

#[test]
fn loops_are_recorded_with_their_header_and_body() {
    let progs_in = |cl: &CommandLine, r: &std::ops::Range<usize>| -> Vec<String> {
        cl.commands[r.clone()]
            .iter()
            .map(|c| c.program.clone())
            .filter(|p| !p.is_empty())
            .collect()
    };
    let cl = parse("while true; do sleep 1 & done; echo x");
    assert_eq!(cl.loops.len(), 1);
    assert_eq!(progs_in(&cl, &cl.loops[0].header), ["true"]);
    assert_eq!(progs_in(&cl, &cl.loops[0].body), ["sleep"]);
    assert!(!cl.loops[0].until);
    let cl = parse("for f in $(ls); do gzip \"$f\"; done");
    assert_eq!(progs_in(&cl, &cl.loops[0].header), ["for", "ls"]);
    assert_eq!(progs_in(&cl, &cl.loops[0].body), ["gzip"]);
    let cl = parse("until false; do while read l; do echo $l; done < f; done");
    assert_eq!(cl.loops.len(), 2);
    assert_eq!(progs_in(&cl, &cl.loops[0].body), ["echo"]);
    assert!(cl.loops[1].until);
    assert_eq!(progs_in(&cl, &cl.loops[1].header), ["false"]);
    assert_eq!(progs_in(&cl, &cl.loops[1].body), ["read", "echo"]);
    assert!(parse("echo done; echo do").loops.is_empty());
}

#[test]
fn prompt_command_is_a_command_line_that_runs_later() {
    assert_eq!(progs("PROMPT_COMMAND='pkill clawlaw'"), ["", "pkill"]);
    let exported = progs("export PROMPT_COMMAND='history -a; pkill clawlaw'");
    assert!(exported.contains(&"pkill".to_string()), "{exported:?}");
    assert_eq!(progs("export PATH=/usr/bin:$PATH"), ["export"]);
}
