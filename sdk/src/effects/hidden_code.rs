//! Inline code that runs other code it does not show: text it decodes at
//! run time (`exec(b64decode(…))`, `eval(atob(…))`, a shell line from
//! `pack("H*", …)`), whose literal is decoded and analysed one level
//! deeper, and code it fetches from the network and runs
//! (`exec(urlopen(URL).read())`, `fetch(URL).then(r => r.text()).then(eval)`).
//! Both are recorded as [`super::Decoded`].

use super::MAX_NESTING;
use super::apis::{Act, Uses, action};
use super::code::{self, Call, Lang};
use super::context::Cx;

/// The call that runs code built at run time, when the code has one: a
/// [`RUNS_CODE`] call given anything but literals (`exec(r.text)`,
/// `eval(d)`, `new Function(body)`, `vm.runInNewContext(src)`), or `eval`
/// handed on as a value (`.then(eval)`). `exec`, `eval` and `compile` count
/// only by themselves: a regex's `exec` or `re.compile(p)` runs no code.
pub(super) fn runs_built_code(toks: &[code::Tok], calls: &[Call]) -> Option<String> {
    let call = calls.iter().find(|c| {
        let bare_only = matches!(c.method(), "exec" | "eval" | "compile");
        let method_of_a_value =
            c.at.checked_sub(1)
                .is_some_and(|k| toks[k] == code::Tok::Punct('.'));
        RUNS_CODE.contains(&c.method())
            && (!bare_only || c.name.len() == 1 && !method_of_a_value)
            && c.args.iter().any(|a| a.as_str().is_none())
    });
    if let Some(c) = call {
        return Some(c.name.join("."));
    }
    toks.windows(2)
        .find(|w| {
            // An argument (`.then(eval)`), not a call nor Perl's `eval {…}`.
            matches!(&w[0], code::Tok::Ident(n) if n == "eval")
                && matches!(w[1], code::Tok::Punct(')' | ','))
        })
        .map(|_| "eval".to_string())
}

/// Names that run a string as code.
const RUNS_CODE: &[&str] = &[
    "exec",
    "eval",
    "compile",
    "Function",
    "runInThisContext",
    "runInNewContext",
    "instance_eval",
    "class_eval",
    "module_eval",
    "create_function",
];
/// Words among a call's arguments that decode text at run time.
const DECODERS: &[&str] = &[
    "b64decode",
    "b32decode",
    "b16decode",
    "a85decode",
    "b85decode",
    "decodebytes",
    "decodestring",
    "unhexlify",
    "fromhex",
    "decompress",
    "atob",
    "fromCharCode",
    "decode_base64",
    "base64_decode",
    "decode64",
    "unpack1",
    "gzinflate",
    "gzuncompress",
    "str_rot13",
    "hex2bin",
    "rot13",
    "rot_13",
    "base64",
    // Perl's `pack("H*", …)`, node's `Buffer.from(…, 'hex')`.
    "pack",
    "hex",
];

/// `exec(base64.b64decode('…'))`, `eval(atob('…'))`: code run from text
/// decoded at run time is recorded as such, and a base64 or hex literal
/// among the call's arguments is decoded and analysed as code of the same
/// language, one level deeper. So is a command line a shell runs from
/// decoded text (`system(pack("H*", "…"))`, `execSync(Buffer.from('…',
/// 'base64').toString())`), analysed as a command line.
/// The decoded literals are handed to `analyze` (the code reader, given by
/// `interp`, which calls this).
pub(super) fn decoded_code(
    cx: &mut Cx,
    lang: Lang,
    how: &str,
    c: &Call,
    uses: Uses,
    analyze: fn(&mut Cx, Lang, &str, &str),
) {
    let runs_code = RUNS_CODE.contains(&c.method());
    if !(runs_code || c.args.iter().any(|a| a.as_str().is_none())) || !c.mentions(DECODERS) {
        return;
    }
    let shell = !runs_code && matches!(action(lang, c, uses), Some(Act::Shell));
    if !runs_code && !shell {
        return;
    }
    let name = c.name.join(".");
    cx.decoded(format!("{how} {name}"), false);
    if cx.level >= MAX_NESTING {
        return;
    }
    for w in &c.words {
        if let Some(text) = base64_text(w).or_else(|| hex_text(w)) {
            let at = cx.level;
            cx.level += 1;
            if shell {
                cx.nested_shell(&text);
            } else {
                analyze(cx, lang, how, &text);
            }
            cx.level = at;
        }
    }
}

/// The UTF-8 text a hex literal (`706b696c6c…`) decodes to, when it is one.
fn hex_text(word: &str) -> Option<String> {
    if word.len() < 8
        || !word.len().is_multiple_of(2)
        || !word.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..word.len())
        .step_by(2)
        .map(|k| u8::from_str_radix(&word[k..k + 2], 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// The UTF-8 text a base64 literal decodes to (standard or URL-safe
/// alphabet, padded or not), when it is one.
fn base64_text(word: &str) -> Option<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    if word.len() < 8 || word.bytes().any(|b| b.is_ascii_whitespace()) {
        return None;
    }
    let bytes = [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|e| e.decode(word).ok())?;
    String::from_utf8(bytes).ok()
}
