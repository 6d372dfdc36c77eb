"""Keep secret values out of every output, and input text from acting on a terminal or a CI log.

`redact` masks the spans of a text shaped like secret material (private key blocks, JWTs, vendor tokens, URLs
with a password, the value of `NAME=value` when NAME says secret/token/password/key, crypt hashes, 64-hex keys and
long high-entropy strings) and keeps the rest, so a message stays readable: `postgres://admin:<redacted>@db`.
Identifiers are not secrets: an AWS access key id (AKIA…) names a key and is shown, as real exports use it as a
node id; its 40-character secret access key is the secret.

Every pattern repeats a bounded number of times and is tried at a bounded set of places, so a text of n characters
costs O(n) whatever it holds (no nested quantifier, nothing that backtracks over an unbounded run).

`printable` is the one escaper of human-readable output: control characters, bidirectional controls and line
separators from inputs are shown as `\\xNN`/`\\uNNNN`, never sent to a terminal or a log.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator

MASK = "<redacted>"
_TOKEN_END = r"(?![A-Za-z0-9_])"
_SECRET = re.compile(
    r"(?<![A-Za-z0-9_])(?:"
    r"eyJ[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{8,4096}(?:\.[A-Za-z0-9_-]{0,4096})?"  # JWT (JWS), signature too
    r"|(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{22,255}"  # GitHub
    r"|(?:glpat|gldt|glptt|glrt|glrtr|glcbt|glimt|gloas|glsoat|glffct|glft|glagent|glwt|gltst)[-_][A-Za-z0-9_.-]"
    r"{20,255}|GR1348941[A-Za-z0-9_-]{20,255}"  # GitLab tokens, runner registration tokens
    r"|xox[abeposr]-[A-Za-z0-9-]{10,255}|xapp-[0-9]-[A-Za-z0-9-]{10,255}"  # Slack
    r"|(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,255}|whsec_[A-Za-z0-9+/=]{20,255}"  # Stripe
    r"|AIza[0-9A-Za-z_-]{35}|GOCSPX-[A-Za-z0-9_-]{20,255}|ya29\.[A-Za-z0-9_-]{20,4096}|1//0[A-Za-z0-9_-]{30,512}"
    r"|(?:FwoGZXIvYXdzE|IQoJb3JpZ2luX2Vj)[A-Za-z0-9/+=]{20,4096}"  # AWS session tokens
    r"|npm_[A-Za-z0-9]{36,255}|pypi-AgE[A-Za-z0-9_-]{50,4096}|hf_[A-Za-z0-9]{30,255}"
    r"|sk-(?:proj|ant|svcacct|admin)-[A-Za-z0-9_-]{20,512}|SG\.[A-Za-z0-9_-]{16,64}\.[A-Za-z0-9_-]{16,64}"
    # Shopify, Twilio API keys, Mailgun, Pulumi (exactly so long: a GCP key id `key-<40 hex>` is no secret), Vault
    r"|(?:shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}|SK[0-9a-fA-F]{32}|key-[0-9a-zA-Z]{32}|pul-[a-f0-9]{40})" + _TOKEN_END +
    r"|hv[sbr]\.[A-Za-z0-9_-]{20,512}"
    r"|[MN][A-Za-z0-9]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}"  # Discord bot tokens
    r"|[0-9a-fA-F]{64,4096}" + _TOKEN_END +  # hex keys (32 bytes and more), RSA signatures (256 bytes)
    r")"
    r"|https://hooks\.slack\.com/(?:services|workflows)/[A-Za-z0-9/_-]{20,255}"  # Slack webhook URLs
    r"|\$(?:1|2[abxy]?|5|6|7|y|gy|argon2(?:id|i|d)|scrypt|pbkdf2[a-z0-9-]{0,12})\$[A-Za-z0-9./+=$,-]{8,512}"  # crypt
)
# scheme://user:password@host: the password (which may hold ':') is the secret, the rest says where
_URL_PASSWORD = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,30}://[^\s/?#@:'\"<>]{0,256}:([^\s/?#@'\"<>]{1,256})@")
_KEY_BLOCK = re.compile(r"-{4,5} ?BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)? ?-{4,5}")
_KEY_BLOCK_END = re.compile(r"-{4,5} ?END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)? ?-{4,5}")
# NAME=value, NAME: value, "NAME": "value", Authorization: Bearer value. Only the name is consumed, so the next
# search starts right after the `=` (aws:iam::…:user/DB_PASSWORD=… holds an assignment inside a value); the value
# is read only after a secret name, and never twice over the same text
_ASSIGNMENT = re.compile(r"(?<![A-Za-z0-9_.-])([A-Za-z][A-Za-z0-9_.-]{0,63})[\"']?[ \t]{0,8}([:=])[ \t]{0,8}")
# `NAME: value` is a key only where a key can start (YAML, JSON, a header); in an id it is a separator
# (k8s:default:secret:payments/api-token, …user/kim.jh#password: password_enabled is empty)
KEY_STARTS = frozenset(" \t\r\n\"'{,([")
_VALUE = re.compile(r"(?:(?:Bearer|Basic|Token|bearer|basic|token)[ \t]{1,8})?"
                    r"(\"[^\"\r\n]{1,512}|'[^'\r\n]{1,512}|[^\s\"',;&)}\]]{1,512})")
_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
SECRET_NAMES = frozenset({"password", "passwd", "pwd", "pw", "pass", "passphrase", "secret", "token", "key", "apikey",
                          "privatekey", "authorization", "auth", "credentials", "creds", "cookie",
                          "signature", "sig"})  # a signed URL's X-Goog-Signature=, Signature=, sig=
_SECRET_ENDINGS = tuple(SECRET_NAMES)
MIN_TOKEN = 32  # characters of a token that random-looking content alone makes secret
# base64, padding and all; an `=` between words is an assignment
_TOKENISH = re.compile(rf"[A-Za-z0-9+/_-]{{{MIN_TOKEN},}}={{0,2}}")
_HEX_PART = re.compile(r"(?<![A-Za-z0-9])(?:[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}|[0-9a-f]{8,63})"
                       r"(?![A-Za-z0-9])")  # UUIDs and generated hex suffixes
MIN_ENTROPY = 4.2  # bits per character: random base64 is near 6, English-like identifiers stay under 4
_WORDLIKE = re.compile(r"[A-Z]?[a-z]{4,}|(?<![A-Za-z0-9])[A-Z]{2,12}(?![A-Za-z0-9])")  # Word, word, _WORD_
# An identifier made of capitalised words and short acronyms only (PassExistingRoleToNewGlueDevEndpoint,
# PassExistingRoleToNewEC2SpotInstance): random base64 almost never alternates so (measured: the share of random
# 32- and 40-character tokens left unmasked did not change)
_CAMEL_CASE = re.compile(r"(?:[A-Z][a-z]+|[A-Z]{2,4}[0-9]?(?=[A-Z][a-z]|$))+")
_VOWEL = re.compile(r"[aeiouyAEIOUY]")
_SEPARATOR = re.compile(r"[-_/+]")
SHORT_PART = 6  # average characters between separators in a name (or fewer)
WORDY = 0.45  # share of a token in word-like runs from which it is read as an identifier


def redact(text: str) -> str:
    """The text with every span shaped like secret material replaced by `<redacted>`."""
    spans = sorted(_secret_spans(text))
    if not spans:
        return text
    parts, at = [], 0
    for start, end in spans:
        if end <= at:
            continue
        parts.append(text[at:max(start, at)])
        parts.append(MASK)
        at = end
    parts.append(text[at:])
    return "".join(parts)


def looks_secret(text: str) -> bool:
    return next(_secret_spans(text), None) is not None


def _secret_spans(text: str) -> Iterator[tuple[int, int]]:
    for match in _SECRET.finditer(text):
        yield match.span()
    if "://" in text:  # the cheap tests first: most texts hold none of these
        for match in _URL_PASSWORD.finditer(text):
            yield match.span(1)
    if "PRIVATE KEY" in text:
        yield from _key_blocks(text)
    if "=" in text or ":" in text:
        yield from _assigned(text)
    for match in _TOKENISH.finditer(text):
        if _random_looking(match.group()):
            yield match.span()


def _key_blocks(text: str) -> Iterator[tuple[int, int]]:
    """A private key block through its END line; with no END line (a shortened message), to the end of the text."""
    at = 0
    while (begin := _KEY_BLOCK.search(text, at)) is not None:
        end = _KEY_BLOCK_END.search(text, begin.end())
        at = end.end() if end else len(text)
        yield begin.start(), at


def _assigned(text: str) -> Iterator[tuple[int, int]]:
    read = 0  # values are read from here on: a value already masked is not read again
    for match in _ASSIGNMENT.finditer(text):
        if match.end() < read or not secret_name(match.group(1)):
            continue
        if match.group(2) == ":" and match.start() > 0 and text[match.start() - 1] not in KEY_STARTS:
            continue
        value = _VALUE.match(text, match.end())
        if value is None:
            continue
        start, end = value.span(1)
        read = end
        start += value.group(1)[0] in "\"'"  # the value inside its quotes
        if not text.startswith(MASK, start) and start < end:
            yield start, end


def secret_name(name: str) -> bool:
    """Whether a setting's name says its value is secret: its last word (DB_PASSWORD, clientSecret, api-key,
    aws_secret_access_key), but not a name about a secret (aws_access_key_id, token_ttl, key_rotated)."""
    if not name.lower().endswith(_SECRET_ENDINGS):  # the common case, decided without splitting words
        return False
    words = [w.lower() for w in _WORD.findall(name)]
    if not words or words[-1] not in SECRET_NAMES:
        return False
    return words[-1] != "key" or (len(words) > 1 and words[-2] != "public")


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _random_looking(token: str) -> bool:
    if _CAMEL_CASE.fullmatch(token) or _wordy(token) or _separated(token) or _entropy(token) < MIN_ENTROPY:
        return False
    generated = _HEX_PART.sub("", token)
    if generated != token:
        # a name with a generated hex part (stacksets-exec-b5520cb2730c2f54b523d6375a319abb,
        # AWSSSO_b937d2dff24f2774_DO_NOT_DELETE) is judged without it; a hex key alone is caught by its length
        return len(generated) >= MIN_TOKEN and _random_looking(generated)
    return True


def _separated(token: str) -> bool:
    """Short parts between separators, few digits: a path or a name (/tmp/pytest-of-root/pytest-159/test_a_bug_in…).
    Random base64 has a separator (+ / - _) one character in 32 and a digit one in six."""
    parts = _SEPARATOR.split(token)
    return len(parts) * SHORT_PART >= len(token) and sum(c.isdigit() for c in token) < 0.08 * len(token)


def _wordy(token: str) -> bool:
    """Mostly words (AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc, SSMQuickSetupEnableExplorerInlinePolicy):
    an identifier. Random base64 seldom holds runs of four small letters with a vowel (measured on random base64
    and base64url tokens, entropy test included: 0.9% of 32-character and 0.2% of 40-character ones go unmasked;
    the dash-and-digit test this replaced let 9% of base64url through)."""
    covered = sum(len(word) for word in _WORDLIKE.findall(token) if _VOWEL.search(word))
    return covered >= WORDY * len(token)


# C0 and C1 controls, DEL, the bidirectional controls (embeddings, overrides, isolates, marks), the line and
# paragraph separators, lone surrogates (no encoding can write them) and the byte-order mark
# and the invisible ones, which make two ids look the same (`kim.jh` and `kim.jh` + U+200B) or a name look empty
# (U+3164): zero-width spaces and joiners, word joiners and invisible operators, Hangul fillers, tag characters
_INVISIBLE = "\u00ad\u115f\u1160\u180e\u200b-\u200d\u2060-\u2064\u3164\uffa0\U000e0000-\U000e007f"
UNPRINTABLE = re.compile(
    f"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufeff{_INVISIBLE}]")
# A line the GitHub Actions runner reads as a workflow command: `::name::` after any leading blanks (its current
# parser trims them), or `##[name]` anywhere in the line (its older one, which it still tries)
_COMMAND_LINE = re.compile(r"^[ \t]*:(?=:)|#(?=#\[)", re.MULTILINE)
_RAW_IN_JSON = re.compile(f"[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufeff{_INVISIBLE}]")
_OLD_COMMAND = re.compile(r"#(?=#\[)")


def printable(text: str) -> str:
    """Input text as human-readable output shows it: every control character escaped, so nothing from an input can
    move the cursor, recolour a terminal, reorder what is shown, or end a line (and start a CI workflow command)."""
    return UNPRINTABLE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def no_command_lines(text: str, colon: str = "\\x3a", hash_: str = "\\x23") -> str:
    """Output whose lines can never be read as CI workflow commands (`::add-mask::…`, `::stop-commands::…`,
    `##[stop-commands]…`): a line that starts with `::` (after blanks) has its first colon shown as `colon`, and the
    first `#` of every `##[` as `hash_` (a format that writes commands never calls this)."""
    return _COMMAND_LINE.sub(lambda m: m.group()[:-1] + (colon if m.group().endswith(":") else hash_), text)


def printable_json(text: str) -> str:
    """JSON text (`json.dumps(..., ensure_ascii=False)`, which escapes only C0) with every other unprintable character
    written as a `\\u` escape of four hex digits: the same document to a parser, nothing raw for a terminal or a log."""
    escaped = _RAW_IN_JSON.sub(_json_escape, text)
    return _OLD_COMMAND.sub("\\\\u0023", escaped)  # `##[` in a string: the runner's older parser reads it anywhere


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a UTF-16 surrogate pair, as JSON writes characters past the Basic Multilingual Plane
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
